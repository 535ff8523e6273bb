"""Everything a person can press, pick or submit, as small frozen dataclasses, and their wire format.

The core puts actions on buttons (`Button.action`), native polls (`Poll.answers`) and answer forms
(`Reply.answer_form`); an adapter puts `encode(action)` into the platform's payload (Telegram's
callback data: at most 64 bytes; Discord's custom id: at most 100 characters, with the adapter's
own short prefix) and hands `decode(payload)` back in `Incoming.action`. Every action that answers
something names the session, round or question it answers, so a stale one can be told apart.

The wire format is the one buttons carried before these types existed ("hint:12", "mc:12:3",
"rate:12:good" …), so buttons on messages sent before an upgrade still work. A payload that does
not decode — forged, garbled, truncated — decodes to `Invalid`, never to an exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from bot.content.schema import ID_PATTERN, QUESTION_ID_MAX
from bot.core.modes import Mode

RatingName = Literal["again", "hard", "good", "easy"]
RATING_NAMES: tuple[RatingName, ...] = get_args(RatingName)
AskMode = Literal[Mode.QUIZ, Mode.MC, Mode.REVIEW]

# Platform limits every encoded action must fit (tests/unit/test_actions.py checks them).
TELEGRAM_CALLBACK_BYTES = 64
DISCORD_CUSTOM_ID_CHARS = 100
# Ids are database keys: at most 11 digits keeps the longest action at 22 characters.
ID_DIGITS = 11


@dataclass(frozen=True)
class Ask:
    """ "Next question" / "Review": a new question of this mode (answers nothing)."""

    mode: AskMode


@dataclass(frozen=True)
class FollowUp:
    """ "Dig deeper": the question an interviewer asks next about `question_id`."""

    question_id: str


@dataclass(frozen=True)
class Hint:
    session: int


@dataclass(frozen=True)
class Reveal:
    session: int


@dataclass(frozen=True)
class Skip:
    session: int


@dataclass(frozen=True)
class Pick:
    """Option `option` (0-based, in the order shown) of the multiple-choice question of `session`."""

    session: int
    option: int


@dataclass(frozen=True)
class Rate:
    session: int
    rating: RatingName


@dataclass(frozen=True)
class RoundPick:
    round: int
    option: int


@dataclass(frozen=True)
class RoundReveal:
    round: int


@dataclass(frozen=True)
class ConfirmForget:
    """The confirmation button of /forget, valid for a few minutes after `issued` (Unix seconds)."""

    issued: int


@dataclass(frozen=True)
class AnswerForm:
    """A free-text answer sent through a form (Discord's modal) to one session or one round."""

    session: int | None = None
    round: int | None = None


@dataclass(frozen=True)
class Invalid:
    """A payload that is no action of ours (forged, garbled, from elsewhere): answered as stale."""

    payload: str


Action = Ask | FollowUp | Hint | Reveal | Skip | Pick | Rate | RoundPick | RoundReveal | ConfirmForget | AnswerForm


def encode(action: Action) -> str:
    match action:
        case Ask(mode):
            return f"{mode.value}:"
        case FollowUp(question_id):
            return f"fu:{question_id}"
        case Hint(session):
            return f"hint:{session}"
        case Reveal(session):
            return f"reveal:{session}"
        case Skip(session):
            return f"skip:{session}"
        case Pick(session, option):
            return f"mc:{session}:{option}"
        case Rate(session, rating):
            return f"rate:{session}:{rating}"
        case RoundPick(round_id, option):
            return f"rp:{round_id}:{option}"
        case RoundReveal(round_id):
            return f"rr:{round_id}"
        case ConfirmForget(issued):
            return f"forget:{issued}"
        case AnswerForm(session, round_id):
            return f"round:{round_id}" if round_id is not None else f"session:{session}"
    raise TypeError(f"not an action: {action!r}")  # pragma: no cover - the union is exhaustive


_N = rf"(\d{{1,{ID_DIGITS}}})"
_QUESTION = ID_PATTERN.removeprefix("^").removesuffix("$")
_ASK_MODES: dict[str, AskMode] = {"quiz": Mode.QUIZ, "mc": Mode.MC, "review": Mode.REVIEW}
_RATINGS = "|".join(RATING_NAMES)

_FORMS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], Action]], ...] = tuple(
    (re.compile(pattern, re.ASCII), build)
    for pattern, build in (
        (r"(quiz|mc|review):?", lambda m: Ask(_ASK_MODES[m[1]])),
        (rf"fu:(?=.{{1,{QUESTION_ID_MAX}}}$)({_QUESTION})", lambda m: FollowUp(m[1])),
        (rf"hint:{_N}", lambda m: Hint(int(m[1]))),
        (rf"reveal:{_N}", lambda m: Reveal(int(m[1]))),
        (rf"skip:{_N}", lambda m: Skip(int(m[1]))),
        (rf"mc:{_N}:{_N}", lambda m: Pick(int(m[1]), int(m[2]))),
        (rf"rate:{_N}:({_RATINGS})", lambda m: Rate(int(m[1]), _rating(m[2]))),
        (rf"rp:{_N}:{_N}", lambda m: RoundPick(int(m[1]), int(m[2]))),
        (rf"rr:{_N}", lambda m: RoundReveal(int(m[1]))),
        (rf"forget:{_N}", lambda m: ConfirmForget(int(m[1]))),
        (rf"session:{_N}", lambda m: AnswerForm(session=int(m[1]))),
        (rf"round:{_N}", lambda m: AnswerForm(round=int(m[1]))),
    )
)


def _rating(name: str) -> RatingName:
    return next(r for r in RATING_NAMES if r == name)


def decode_form(payload: str) -> AnswerForm | Invalid:
    """The session or round an answer form was opened for, or `Invalid`."""
    action = decode(payload)
    return action if isinstance(action, AnswerForm | Invalid) else Invalid(payload[:TELEGRAM_CALLBACK_BYTES])


def decode(payload: str) -> Action | Invalid:
    """The action `payload` encodes, or `Invalid` (never an exception)."""
    if len(payload) <= TELEGRAM_CALLBACK_BYTES:
        for pattern, build in _FORMS:
            match = pattern.fullmatch(payload)
            if match is not None:
                return build(match)
    return Invalid(payload[:TELEGRAM_CALLBACK_BYTES])
