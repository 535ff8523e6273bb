"""Multiple choice that cannot be passed by guessing the longest option (issue: content, second edition)."""

from __future__ import annotations

from bot.content.loader import load_bank
from bot.content.schema import LANGS
from bot.content.stats import longest_share

# Chance is 25 % with four options; above this, "pick the longest" beats knowing nothing.
MAX_LONGEST_SHARE = 0.35


def test_the_correct_option_is_rarely_the_longest_in_either_language() -> None:
    shares = longest_share(load_bank().questions)
    for lang in LANGS:
        assert shares[lang] <= MAX_LONGEST_SHARE, f"{lang}: correct option strictly longest in {shares[lang]:.0%}"
