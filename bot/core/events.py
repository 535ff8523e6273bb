"""What adapters hand the core, and what the core hands back.

An adapter turns a platform update into an `Incoming` and renders the `Reply` objects it
gets back. Replies carry finished, localised plain text split into styled parts; the
adapter decides how a style looks (bold, spoiler, bullet: bot.adapters.styling) and escapes
every part. Whatever else an adapter needs to know about a reply is a flag on it (its
language, who may see it, whether it answers a stale button) or on a part (shown by a native
poll, worded otherwise where answers go through a form): adapters never read catalog keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from bot.core.actions import Action, AnswerForm, Invalid
from bot.core.documents import Drawing


@dataclass(frozen=True)
class ChatRef:
    platform: str
    id: str

    def key(self) -> str:
        return f"{self.platform}:{self.id}"


@dataclass(frozen=True)
class UserRef:
    platform: str
    id: str

    def key(self) -> str:
        return f"{self.platform}:{self.id}"


class ChatKind(str, Enum):
    PRIVATE = "private"
    GROUP = "group"  # Telegram groups, Discord guild channels: rounds, leaderboards


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: wrote text, sent a command, or pressed a button."""

    chat: ChatRef
    user: UserRef
    user_name: str = ""
    chat_kind: ChatKind = ChatKind.PRIVATE
    locale: str | None = None  # the platform's language code for the user, when known
    text: str = ""  # free text or a command line such as "/quiz rag"; a form's answer
    action: Action | Invalid | None = None  # a pressed button, a poll answer, a submitted form (bot.core.actions)
    addressed: bool = False  # in a group: a reply to the bot's question (an answer)
    is_admin: bool = False  # may change this group's settings (the adapter checks)


Style = Literal["plain", "title", "spoiler", "ok", "miss", "item", "note", "code"]


@dataclass(frozen=True)
class Part:
    """One paragraph of a reply; `key` names the catalog entry it came from (None for content)."""

    text: str
    style: Style = "plain"
    key: str | None = None
    in_poll: bool = False  # a native quiz poll shows this itself (an option, how to pick): left out beside one
    form_text: str | None = None  # the wording where answers are given through a button and a form


@dataclass(frozen=True)
class Button:
    label: str
    action: Action
    command: str = ""  # what to type instead, for text-only front ends


@dataclass(frozen=True)
class Poll:
    """A multiple-choice question; platforms with native quiz polls use it."""

    question: str
    options: tuple[str, ...]
    correct: int
    explanation: str
    answers: tuple[Action, ...]  # picking option i is the action answers[i]


@dataclass(frozen=True)
class Attachment:
    """A file sent with a reply. The core describes it (`drawing`); the bytes are rendered after the
    transaction that read its data has committed, before any adapter sees the reply."""

    filename: str
    data: bytes
    kind: Literal["image", "file"] = "file"
    caption: str = ""
    drawing: Drawing | None = None


class ReplyKind(str, Enum):
    INFO = "info"
    QUESTION = "question"  # asks for a free-text answer
    RESULT = "result"
    ERROR = "error"


@dataclass(frozen=True)
class Reply:
    """What the core says. `lang` is the language it is written in (labels an adapter adds follow it)."""

    parts: tuple[Part, ...]
    kind: ReplyKind = ReplyKind.INFO
    buttons: tuple[tuple[Button, ...], ...] = ()
    poll: Poll | None = None
    attachment: Attachment | None = None
    ephemeral: bool = False  # only the person who acted may see it (Discord: ephemeral; Telegram: their DM)
    mention: str | None = None  # a role to notify with this message (Discord role id)
    answer_form: AnswerForm | None = None  # it takes a free-text answer, for this session or round
    stale: bool = False  # the answer to a button that no longer applies (Telegram: a pop-up, not a message)
    # One message kept up to date in place (a round's standings): a later reply with the same key
    # replaces it, edited at the pace the platform allows; `ends_live` retires the key (the summary).
    live: str | None = None
    ends_live: str | None = None
    part_of: str | None = None  # the live key this message belongs to: when it ends, its buttons go, its poll stops
    # Files an adapter saved from attachments whose name starts with this belong to a learner who
    # asked to be forgotten: delete them (the terminal keeps charts and decks on disk).
    forget_files: str | None = None
    # Every send of the same message (a retry after a timeout, from any process) carries the same
    # value: a platform that can drops the resend of a message it already has (Discord's nonce).
    dedup: str | None = None
    lang: str = field(kw_only=True)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(p.key for p in self.parts if p.key)

    def plain(self) -> str:
        return "\n".join(p.text for p in self.parts)
