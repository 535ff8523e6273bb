"""The hostile-input corpus: hypothesis strategies for what people (and platforms) may send, and the
checks every rendered reply must pass on each platform.

Fragments are the known troublemakers — control, zero-width and bidirectional characters, emoji
sequences, Markdown / HTML / entity / mention injection, SQL-looking strings, huge numbers, bad
times and zones — mixed with arbitrary Unicode and repeated into over-long text.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from typing import ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from telegram import ForceReply, InlineKeyboardMarkup

from bot.adapters import terminal
from bot.adapters.discord import render as discord_render
from bot.adapters.discord.components import BUTTON_LABEL_LIMIT, CUSTOM_ID_LIMIT
from bot.adapters.telegram import render as telegram_render
from bot.core.actions import AnswerForm
from bot.core.events import Attachment, Button, Part, Poll, Reply, ReplyKind
from tests.strategies import actions, ids

# How many generated inputs each corpus test pushed through (the suite prints the total).
CORPUS: Counter[str] = Counter()

# Deterministic (the same corpus on every CI run), no example database, no timing limits.
CORPUS_HEALTH_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]


def corpus(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=CORPUS_HEALTH_CHECKS,
    )


CONTROL = [chr(c) for c in (*range(0, 32), 127, *range(0x80, 0xA0))]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"]
BIDI = [
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
]
RTL = ["مرحبا بالعالم", "שלום עולם", "\u202egnp.exe", "abc\u202edef\u202c", "ארוך " * 20, "٣٤٥"]
EMOJI = [
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "👍🏽",
    "🇺🇸🇨🇳",
    "❤️‍🔥",
    "🧑🏿‍💻",
    "😀",
    "🫠",
    "#️⃣",
    "\U0001f9d1\u200d\U0001f680",
    "Z\u0337\u0322\u031b\u0300\u0301\u0302\u0303" * 8,
    "e\u0301",
    "\u0300\u0301",
    "\U0001d54f",
    "𠀋𠮷",
]
MARKUP = [
    "**bold**",
    "__under__",
    "*i*",
    "_i_",
    "~~s~~",
    "||spoiler||",
    "|",
    "||",
    "`code`",
    "```py\nx\n```",
    "> quote",
    "# heading",
    "-# small",
    "[link](https://evil.example/)",
    "<b>bold</b>",
    "</b>",
    "<i>",
    "<tg-spoiler>",
    "</tg-spoiler>",
    "<code>",
    "<pre>",
    '<a href="javascript:alert(1)">x</a>',
    "<script>alert(1)</script>",
    "<!--",
    "-->",
    "<![CDATA[",
    "&amp;",
    "&lt;",
    "&gt;",
    "&#x27;",
    "&#0;",
    "&#x1F600;",
    "&nonsense;",
    "&",
    "<",
    ">",
    '"',
    "'",
    "\\",
    "\\*",
    "\\\\||",
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@!1>",
    "<@&123>",
    "<#123>",
    "</quiz:1>",
    "<:emoji:123>",
    "<t:0:R>",
    "https://discord.gg/invite",
    "http://x.com/**a**_b_",
    "{name}",
    "{0}",
    "%s",
    "%(x)s",
    "${HOME}",
]
SQL = [
    "'; DROP TABLE learners; --",
    '" OR 1=1 --',
    "1; SELECT * FROM answers",
    "Robert'); DROP TABLE chats;--",
    "%",
    "_",
    "' UNION SELECT 1,2,3 --",
    "\\x00",
    "NULL",
    "/*",
    "*/",
    "' OR ''='",
]
NUMBERS = [
    "9" * 400,
    "-1",
    "0",
    "00",
    "1e308",
    "1e309",
    "-0",
    "NaN",
    "inf",
    "∞",
    "١٢٣",
    "²",
    "0x10",
    "1_000",
    str(2**64),
    str(-(2**63)),
    "99999999999999999999",
    "3.14",
    "-999999999999",
    "１２",
]
TIMES = [
    "25:61",
    "24:00",
    "23:59",
    "-1:00",
    "12:60",
    "9:5",
    "09:00am",
    "0900",
    "99999:99",
    "١٢:٣٠",
    "12：30",
    "noon",
    "00:00",
    "2:30",
    "7:00pm",
    "12:00:00",
]
ZONES = [
    "Mars/Base",
    "../../etc/passwd",
    "Etc/GMT+14",
    "Etc/GMT-14",
    "UTC\x00",
    "America/New_York ",
    "europe/berlin",
    "Asia/Shang hai",
    "/etc/localtime",
    "posix/Europe/Berlin",
    "right/UTC",
    "+05:30",
    "GMT+5",
    "A" * 300,
    "Europe\\Berlin",
    "Factory",
    "localtime",
    ".",
    "Asia/Shanghai",
    "UTC",
    "Europe/Berlin",
]
DAYS = [
    "mon,wed,fri",
    "weekdays",
    "every day",
    "sun-sat",
    "fri-mon",
    "mon-",
    "-",
    ",,,",
    "mo",
    "monday,funday",
    "每天",
    "工作日",
]
LOCALES = [
    None,
    "",
    "en",
    "zh",
    "zh-hans",
    "zh_TW",
    "ZH",
    "xx",
    "en-GB",
    "ar",
    "he",
    "zh-" + "x" * 200,
    "\u202ezh",
    "de\x00",
    "../../zh",
]
SURROGATES = ["\ud800", "\udfff", "a\udc80b"]  # lone surrogates: not valid UTF-8, yet a str can hold them

COMMANDS = [
    "/start",
    "/help",
    "/quiz",
    "/mc",
    "/hint",
    "/reveal",
    "/answer",
    "/skip",
    "/a",
    "/lang",
    "/timezone",
    "/tz",
    "/daily",
    "/remind",
    "/link",
    "/appeal",
    "/topics",
    "/stats",
    "/leaderboard",
    "/review",
    "/followup",
    "/forget",
    "/quiz@studybot_test_bot",
    "/QUIZ",
    "/nonexistent",
    "/" + "x" * 40,
    "/",
    "/quiz@",
    "/q",
    "/next",
]
ACTIONS = [
    "hint:",
    "reveal:",
    "skip:",
    "mc:",
    "rate:",
    "rp:",
    "rr:",
    "forget:",
    "fu:",
    "quiz",
    "mc",
    "review",
    "",
    ":",
    "::",
    "mc:1:",
    "rate:1:",
    "x" * 200,
]

FRAGMENTS = CONTROL + ZERO_WIDTH + BIDI + RTL + EMOJI + MARKUP + SQL + NUMBERS + TIMES + ZONES + DAYS

fragment = st.one_of(
    st.sampled_from(FRAGMENTS),
    st.text(max_size=24),  # arbitrary Unicode (hypothesis leans to edge cases)
    st.text(st.characters(codec="utf-8"), max_size=8),
    st.integers().map(str),
)


def repeated(pieces: st.SearchStrategy[str], low: int, high: int) -> st.SearchStrategy[str]:
    return st.builds(lambda piece, n: (piece or "x") * n, pieces, st.integers(low, high))


short_text = st.lists(fragment, max_size=10).map("".join)
# Over-long text: up to ~120,000 characters, the kind of paste a platform lets through.
long_text = st.one_of(
    repeated(st.sampled_from(FRAGMENTS), 200, 6000),
    st.builds(lambda a, b, n: (a + b) * n, short_text, st.sampled_from(FRAGMENTS), st.integers(100, 2000)),
)
hostile_text = st.one_of(short_text, short_text, short_text, long_text)
hostile_name = st.one_of(short_text, repeated(st.sampled_from(MARKUP + EMOJI + BIDI), 20, 200))
with_surrogates = st.builds(lambda a, s, b: a + s + b, short_text, st.sampled_from(SURROGATES), short_text)


def command_line() -> st.SearchStrategy[str]:
    args = st.one_of(
        st.just(""),
        hostile_text,
        st.sampled_from(TIMES + ZONES + DAYS + NUMBERS + ["off", "on", "en", "zh", "cards"]),
        st.lists(st.sampled_from(TIMES + ZONES + DAYS + ["off", "rag", "basics"]), max_size=5).map(" ".join),
    )
    return st.builds(
        lambda c, sep, a: f"{c}{sep}{a}", st.sampled_from(COMMANDS), st.sampled_from([" ", "  ", "\n", "\t", ""]), args
    )


def action() -> st.SearchStrategy[str]:
    number = st.one_of(st.integers(-5, 50).map(str), st.sampled_from(NUMBERS))
    return st.one_of(
        st.builds(lambda a, n, m: f"{a}{n}:{m}", st.sampled_from(ACTIONS), number, st.one_of(number, short_text)),
        st.builds(lambda a, n: f"{a}{n}", st.sampled_from(ACTIONS), number),
        short_text,
    )


# -- generated replies (what an adapter may be asked to render) ---------------------------------
# Within the core's contract: any text may reach a part (names, answers and arguments are echoed),
# but button commands are the core's own, button labels and poll texts are never blank.

STYLES = ["plain", "title", "spoiler", "ok", "miss", "item", "note", "code"]
BULLETS = ("✅ ", "❌ ", "• ")
not_blank = hostile_text.filter(lambda s: bool(s.strip()))
part = st.builds(
    Part,
    hostile_text,
    st.sampled_from(STYLES),
    st.one_of(st.none(), st.just("quiz.title")),
    st.booleans(),
    st.one_of(st.none(), hostile_text),
)
button = st.builds(Button, st.one_of(not_blank, st.just("Hint")), actions(), st.sampled_from(["", *COMMANDS]))
poll = st.builds(
    lambda q, opts, c, e, picks: Poll(q, tuple(opts), c % max(len(opts), 1), e, tuple(picks[: len(opts)])),
    not_blank,
    st.lists(not_blank, min_size=2, max_size=6),
    st.integers(0, 10),
    hostile_text,
    st.lists(actions(), min_size=6, max_size=6),
)
attachment = st.builds(
    Attachment,
    st.one_of(short_text, st.sampled_from(["../../etc/passwd", "a/b\\c.png", ".hidden", "x" * 300 + ".apkg"])),
    st.just(b"\x89PNG..."),
    st.sampled_from(["image", "file"]),
    short_text,
)
reply = st.builds(
    Reply,
    st.lists(part, max_size=6).map(tuple),
    st.sampled_from(list(ReplyKind)),
    st.lists(st.lists(button, min_size=1, max_size=6).map(tuple), max_size=7).map(tuple),
    st.one_of(st.none(), poll),
    st.one_of(st.none(), attachment),
    st.booleans(),
    st.one_of(st.none(), st.sampled_from(["123", "12345678901234567890", "abc", "<@&1>", "-1"])),
    st.one_of(
        st.none(), st.builds(lambda s: AnswerForm(session=s), ids), st.builds(lambda r: AnswerForm(round=r), ids)
    ),
    st.booleans(),
    lang=st.sampled_from(["en", "zh"]),
)


# -- checks: each platform's limits, escaping, and nothing unsafe ----------------------------------


class _TelegramHtml(HTMLParser):
    ALLOWED: ClassVar[frozenset[str]] = frozenset({"b", "i", "code", "tg-spoiler"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in self.ALLOWED and not attrs, f"unexpected tag <{tag} {attrs}>"
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, f"unbalanced </{tag}>"

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def unknown_decl(self, data: str) -> None:
        raise AssertionError(f"markup declaration leaked: {data!r}")

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"HTML comment leaked: {data!r}")


def telegram_text(html: str) -> str:
    """The text Telegram shows for `html` (asserting only our tags, balanced)."""
    parser = _TelegramHtml()
    parser.feed(html)
    parser.close()
    assert not parser.open, f"unclosed {parser.open}"
    return "".join(parser.text)


def _comparable(text: str) -> str:
    """Without line breaks and bullets (a part split over several messages gets a bullet on each)."""
    for bullet in BULLETS:
        text = text.replace(bullet, "")
    return text.replace("\n", "")


def check_telegram(r: Reply, *, in_group: bool = False) -> None:
    if r.poll is not None and telegram_render.poll_fits(r):
        out = telegram_render.render_poll(r)
        assert 0 < len(out.question) <= telegram_render.POLL_QUESTION_LIMIT
        assert len(out.options) >= 2 and all(0 < len(o) <= telegram_render.POLL_OPTION_LIMIT for o in out.options)
        assert len(out.explanation) <= telegram_render.POLL_EXPLANATION_LIMIT
        for text_out in out.intro:
            assert len(text_out.html) <= telegram_render.MESSAGE_LIMIT
            telegram_text(text_out.html)
        return
    outs = telegram_render.render_text(r, force_reply=telegram_render.wants_force_reply(r, in_group))
    shown = []
    for text_out in outs:
        assert len(text_out.html) <= telegram_render.MESSAGE_LIMIT, len(text_out.html)
        assert len(text_out.plain) <= telegram_render.MESSAGE_LIMIT, len(text_out.plain)
        shown.append(telegram_text(text_out.html))
        markup = text_out.markup
        if isinstance(markup, InlineKeyboardMarkup):
            for row in markup.inline_keyboard:
                for b in row:
                    assert len(str(b.callback_data or "").encode()) <= telegram_render.CALLBACK_DATA_LIMIT
                    assert len(b.text) <= telegram_render.BUTTON_TEXT_LIMIT
        else:
            assert markup is None or isinstance(markup, ForceReply)
    # Everything arrives, as text: nothing was swallowed as markup, nothing added but our bullets.
    expected = "".join(telegram_render.part_plain(p) for p in r.parts)
    assert _comparable("".join(shown)) == _comparable(expected)


_MENTION_LEAK = re.compile(r"@(everyone|here)|<(@[!&]?|#|/)")
_DISCORD_MARKERS = ("||", "`", "**", "~~", "__")


def _unescaped(text: str) -> str:
    """`text` with every backslash escape removed (what is left is live markdown)."""
    return re.sub(r"\\.", "", text, flags=re.DOTALL)


def check_discord(r: Reply) -> None:
    messages = discord_render.render(r)
    for m in messages:
        assert len(m.embeds) == 1
        for embed in m.embeds:
            description = embed.description or ""
            assert len(description) <= discord_render.DESCRIPTION_LIMIT, len(description)
            assert discord_render.embed_size(embed) <= discord_render.EMBED_TOTAL_LIMIT
            assert not _MENTION_LEAK.search(description), description[:200]
        assert m.content is None or (
            len(m.content) <= discord_render.CONTENT_LIMIT and re.fullmatch(r"<@&\d+>", m.content)
        )
        assert len(m.rows) <= discord_render.MAX_ROWS
        for row in m.rows:
            assert 0 < len(row) <= discord_render.MAX_PER_ROW
            for spec in row:
                assert len(spec.custom_id) <= CUSTOM_ID_LIMIT and 0 < len(spec.label or "?") <= BUTTON_LABEL_LIMIT
        if m.attachment is not None:
            assert re.fullmatch(r"[A-Za-z0-9._-]{1,100}", m.filename or "")
        mentions = m.kwargs()["allowed_mentions"]
        assert not mentions.everyone and mentions.users is False
    for text in (t for p in r.parts for t in (p.text, p.form_text) if t is not None):
        if "://" not in text:  # every piece of text is escaped: no live spoiler, code or emphasis of its own
            live = _unescaped(discord_render.clean(text))
            assert not any(marker in live for marker in _DISCORD_MARKERS), (text[:80], live[:80])


_OUR_SGR = re.compile(r"\x1b\[(?:0|1|2)m")
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def check_terminal(r: Reply) -> None:
    for color in (False, True):
        shown = _OUR_SGR.sub("", terminal.render(r, color=color, out_dir=None))
        assert not _TERMINAL_UNSAFE.search(shown), repr(_TERMINAL_UNSAFE.search(shown))


def check_everywhere(r: Reply, *, in_group: bool = False) -> None:
    check_telegram(r, in_group=in_group)
    check_discord(r)
    check_terminal(r)
