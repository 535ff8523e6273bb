"""What the hostile corpus found, each kept as a plain example.

Fixed: forged button data with a non-ASCII digit ("hint:0:²") and text that is not valid
Unicode (lone surrogates, e.g. non-UTF-8 bytes piped into `studybot chat`) failed inside the core.
Fixed too: a multiple-choice answer that `str.isdigit()` accepts but `int()` refuses ("²", or
more than 4,300 digits).
"""

from __future__ import annotations

import pytest

from bot.core.events import ChatKind
from tests.harness import Harness, keys


async def test_forged_button_data_with_unicode_digits_is_stale_not_a_crash(harness: Harness) -> None:
    await harness.say("/quiz")
    for action in ("hint:0:²", "mc:١:٢", "rate:１:good", "hint:" + "9" * 5000):
        assert "error.internal" not in keys(await harness.press(action))


async def test_text_that_is_not_valid_unicode_is_stored_with_replacement_characters(harness: Harness) -> None:
    await harness.say("/quiz")
    replies = await harness.say("LoRA \udcff\udcfe low-rank adapters")
    assert "error.internal" not in keys(replies) and any(k.startswith("grade.") for k in keys(replies))
    named = Harness(harness.bot, user_id="\udcff", user_name="Ada \ud800")
    assert "error.internal" not in keys(await named.say("/start"))


@pytest.mark.parametrize("answer", ["²", "9" * 5000])
async def test_private_multiple_choice_answer_with_odd_digits(harness: Harness, answer: str) -> None:
    await harness.say("/mc")
    assert "error.internal" not in keys(await harness.say(answer))


@pytest.mark.parametrize("answer", ["²", "9" * 5000])
async def test_group_multiple_choice_answer_with_odd_digits(harness: Harness, answer: str) -> None:
    group = Harness(harness.bot, chat_id="g", chat_kind=ChatKind.GROUP, is_admin=True)
    await group.say("/mc")
    assert "error.internal" not in keys(await group.say("/a " + answer))
