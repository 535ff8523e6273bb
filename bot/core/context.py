"""One handled event: who, where, in which language, inside which transaction."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.content.bank import Bank
from bot.content.schema import Question
from bot.core.actions import Action
from bot.core.events import Button, ChatKind, Incoming, Part, Reply, ReplyKind, Style
from bot.core.grading import Grader
from bot.core.i18n import t
from bot.core.limits import LINK_ATTEMPTS, SlidingWindow
from bot.core.modes import Mode
from bot.core.ports.assessing import Assessment, Assessor
from bot.core.ports.people import Chat, Learner
from bot.core.ports.sessions import OpenQuestion, SessionStart
from bot.core.ports.store import Tx
from bot.core.wakeup import Wakeup


@dataclass(frozen=True)
class Services:
    """What features use besides the transaction: content, grading, randomness, the scheduler's signal."""

    bank: Bank
    grader: Grader
    rng: random.Random
    round_minutes: int = 15
    wakeup: Wakeup = field(default_factory=Wakeup)
    # Wrong link codes per learner: a code merges accounts, so guessing must stay hopeless.
    link_attempts: SlidingWindow = field(default_factory=lambda: SlidingWindow(LINK_ATTEMPTS))
    assessor: Assessor | None = None  # an LLM judge behind the grader (bot/judging), when configured


# What an answer was graded for: ("session", id) for a learner's open question, ("round", id) in a group.
Target = tuple[str, int]


@dataclass(frozen=True)
class Assessed:
    """The assessor's verdict on `text` for `target`, made before the answer's transaction began."""

    target: Target
    question_id: str
    text: str
    assessment: Assessment


@dataclass
class Ctx:
    inc: Incoming
    tx: Tx
    learner: Learner
    chat: Chat
    lang: str
    now: datetime
    services: Services
    resumed_from: str | None = None  # why this chat's subscription was paused, if this update resumed it
    rescheduled: bool = False  # a subscription or reminder changed: wake the scheduler after the commit
    assessed: Assessed | None = None

    def assessment(self, target: Target, question_id: str, text: str) -> Assessment | None:
        """The assessor's verdict on this very answer to this very question, if one was made."""
        a = self.assessed
        if a is None or (a.target, a.question_id, a.text) != (target, question_id, text):
            return None
        return a.assessment

    def answered_something_else(self, target: Target) -> bool:
        """The assessor saw another question open when this answer came: it was written for that one."""
        return self.assessed is not None and self.assessed.target != target

    @property
    def bank(self) -> Bank:
        return self.services.bank

    @property
    def in_group(self) -> bool:
        return self.chat.kind is ChatKind.GROUP

    def t(self, key: str, **params: Any) -> str:
        return t(self.lang, key, **params)

    def part(self, key: str, style: Style = "plain", **params: Any) -> Part:
        return Part(self.t(key, **params), style, key)

    def reply(self, parts: Iterable[Part], kind: ReplyKind = ReplyKind.INFO, **flags: Any) -> Reply:
        """A reply in this context's language."""
        return Reply(tuple(parts), kind, lang=self.lang, **flags)

    def say(self, key: str, kind: ReplyKind = ReplyKind.INFO, **params: Any) -> Reply:
        """A one-paragraph reply from the catalog."""
        return self.reply((self.part(key, **params),), kind)

    def refusal(self, key: str, **params: Any) -> Reply:
        """A refusal meant for whoever asked: in a group only they see it (Discord: ephemeral; Telegram: their DM)."""
        return replace(self.say(key, ReplyKind.ERROR, **params), ephemeral=self.in_group)

    def stale(self, key: str = "mc.stale", **params: Any) -> Reply:
        """The answer to a button or form that no longer applies (its question or round is closed)."""
        return replace(self.say(key, **params), stale=True)

    def button(self, key: str, action: Action, command: str = "") -> Button:
        return Button(self.t(key), action, command)

    async def open_session(self, question_id: str, mode: Mode, options: tuple[int, ...] = ()) -> OpenQuestion:
        """Put a question to this learner in this chat (what was open there closes)."""
        start = SessionStart(self.chat.id, self.learner.id, question_id, mode, options)
        return await self.tx.sessions.open(start, self.now)

    @property
    def file_prefix(self) -> str:
        """How the names of this learner's files (charts, decks) begin: theirs alone, so /forget finds them."""
        return f"studybot-u{self.learner.id}-"

    def topic_name(self, topic_id: str) -> str:
        topic = self.bank.topic(topic_id)
        return topic.name.get(self.lang) if topic else topic_id

    def question(self, question_id: str) -> Question | None:
        return self.bank.by_id.get(question_id)
