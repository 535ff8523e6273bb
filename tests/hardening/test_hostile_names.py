"""Hostile display names in round lines, summaries and leaderboards, rendered for Telegram and Discord.

Generated names (markup of both platforms, masked links, spoilers, code spans, mentions, bidi
overrides and isolates, zero-width characters, controls, emoji, right-to-left scripts) go
through the core's naming rule (bot.core.names) and each platform's renderer. Every name comes
out isolated (FSI … PDI) with nothing invisible or direction-changing inside, never blank,
and on Discord without a live masked link, spoiler, code span or mention.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.discord import render as discord_render
from bot.adapters.telegram import render as telegram_render
from bot.core.events import Part, Reply
from bot.core.i18n import t
from bot.core.names import FSI, PDI, display_name
from tests.hardening.hostile import MARKUP, corpus, hostile_name, telegram_text

LINKS = ["[a](b)[nitro](https://x.co)", "[free nitro](https://x.co)", "[x]( https://x.co )", "\\[a](b)[c](d)"]
names = st.one_of(hostile_name, st.lists(st.sampled_from(LINKS + MARKUP), min_size=1, max_size=4).map("".join))
LINES = ("round.score_row", "round.leader_row", "round.picked_row")
_MASKED_LINK = re.compile(r"\[[^\]]*\]\([^)]*\)")


def line(key: str, name: str, lang: str) -> Reply:
    shown = display_name(name, t(lang, "round.someone"))
    return Reply((Part(t(lang, key, rank=1, name=shown, score=80, points=80, rounds=1), "item"),), lang=lang)


def isolated_name(text: str) -> str:
    assert text.count(FSI) == 1 and text.count(PDI) == 1, text
    return text[text.index(FSI) + 1 : text.index(PDI)]


@corpus(300)
@given(name=names, key=st.sampled_from(LINES), lang=st.sampled_from(["en", "zh"]))
def test_names_are_isolated_visible_and_inert_on_both_platforms(name: str, key: str, lang: str) -> None:
    reply = line(key, name, lang)
    # Telegram: the text shown holds the name once, isolated, with nothing invisible in it.
    [out] = telegram_render.render_text(reply)
    shown = isolated_name(telegram_text(out.html))
    assert shown.strip(), repr(name)
    assert not [c for c in shown if unicodedata.category(c) in {"Cf", "Cc"}], repr(shown)
    # Discord: no live markup of the name's own.
    [message] = discord_render.render(reply)
    description = message.embeds[0].description or ""
    isolated_name(description)
    live = re.sub(r"\\.", "", description, flags=re.DOTALL)
    assert not _MASKED_LINK.search(live), description
    assert "||" not in live and "`" not in live and not re.search(r"@(everyone|here)", live), description


def test_a_name_with_nothing_visible_gets_the_fallback() -> None:
    for blank in ("\u200b\u200d", "\u202e", "   ", "\u3164", "\u2068\u2069", ""):
        assert display_name(blank, "someone") == f"{FSI}someone{PDI}"
    assert display_name("\u202eevil\u202c", "someone") == f"{FSI}evil{PDI}"
    assert display_name("Ada\u200b Lovelace", "x") == f"{FSI}Ada Lovelace{PDI}"
