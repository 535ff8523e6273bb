"""Replies as Telegram messages: HTML with every piece of text escaped, split to fit.

Pure functions, tested without a network: a Reply in, the messages to send out.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from bot.adapters.chunking import pack_parts
from bot.adapters.styling import BULLETS, Emphasis, Markup, wrapped
from bot.core.actions import encode
from bot.core.events import Part, Reply

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
POLL_OPTION_LIMIT = 100
POLL_QUESTION_LIMIT = 300
POLL_EXPLANATION_LIMIT = 200
CAPTION_LIMIT = 1024
BUTTON_TEXT_LIMIT = 64

HTML = Markup(
    lambda text: html.escape(text, quote=False),
    {
        Emphasis.STRONG: wrapped("<b>", "</b>"),
        Emphasis.HIDDEN: wrapped("<tg-spoiler>", "</tg-spoiler>"),
        Emphasis.SUBTLE: wrapped("<i>", "</i>"),
        Emphasis.CODE: wrapped("<code>", "</code>"),
    },
    BULLETS,
)
# What is sent when Telegram cannot parse our HTML: the same text, bullets kept.
PLAIN = Markup(marks=BULLETS)


def part_html(part: Part) -> str:
    return HTML.render(part)


def part_plain(part: Part) -> str:
    return PLAIN.render(part)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = []
    for row in reply.buttons:
        buttons = [
            InlineKeyboardButton(b.label[:BUTTON_TEXT_LIMIT], callback_data=data)
            for b in row
            if len((data := encode(b.action)).encode()) <= CALLBACK_DATA_LIMIT
        ]
        if buttons:
            rows.append(buttons)
    return InlineKeyboardMarkup(rows) if rows else None


@dataclass(frozen=True)
class TextOut:
    html: str
    plain: str
    markup: InlineKeyboardMarkup | ForceReply | None = None


@dataclass(frozen=True)
class PollOut:
    question: str
    options: tuple[str, ...]
    correct: int
    explanation: str
    answers: tuple[str, ...]  # the encoded action of each option
    intro: list[TextOut] = field(default_factory=list)


def poll_fits(reply: Reply) -> bool:
    poll = reply.poll
    return poll is not None and all(0 < len(o) <= POLL_OPTION_LIMIT for o in poll.options) and len(poll.options) >= 2


def render_text(reply: Reply, *, force_reply: bool = False) -> list[TextOut]:
    groups = pack_parts(reply.parts, part_html, MESSAGE_LIMIT)
    outs = []
    for i, group in enumerate(groups):
        last = i == len(groups) - 1
        markup: InlineKeyboardMarkup | ForceReply | None = None
        if last:
            markup = ForceReply(selective=False, input_field_placeholder="…") if force_reply else keyboard(reply)
        outs.append(TextOut("\n".join(part_html(p) for p in group), "\n".join(part_plain(p) for p in group), markup))
    return outs


def render_poll(reply: Reply) -> PollOut:
    """A native quiz poll, with the question's context sent first as text (without the options)."""
    poll = reply.poll
    assert poll is not None
    intro_parts = tuple(p for p in reply.parts if not p.in_poll)
    question = poll.question if len(poll.question) <= POLL_QUESTION_LIMIT else poll.question[:297] + "…"
    explanation = poll.explanation[:POLL_EXPLANATION_LIMIT]
    intro = render_text(Reply(intro_parts, lang=reply.lang)) if len(poll.question) > POLL_QUESTION_LIMIT else []
    answers = tuple(encode(a) for a in poll.answers)
    return PollOut(question, poll.options, poll.correct, explanation, answers, intro)


def wants_force_reply(reply: Reply, in_group: bool) -> bool:
    """A free-text question in a group without buttons: members answer by replying to it. A message
    has one markup: where the question has buttons (a round's Reveal), those win, and members still
    answer by replying to it (the question says so)."""
    return in_group and reply.answer_form is not None and reply.poll is None and not reply.buttons
