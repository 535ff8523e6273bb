"""The tables of the in-memory store, and the cascades the SQL schema's foreign keys perform."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.core.events import ChatKind, ChatRef
from bot.core.modes import Mode
from bot.core.ports.answers import Appeal
from bot.core.ports.cards import CardState
from bot.core.ports.people import Chat, Learner
from bot.core.ports.rounds import Round, RoundAnswer
from bot.core.ports.sessions import OpenQuestion

# Stored texts are bounded, as the SQL repositories bound them.
MAX_TEXT = 8000
MAX_NAME = 128
MAX_REASON = 2000
MAX_REF_KEY = 160
MAX_WORKER = 64


@dataclass
class ChatRow:
    id: int
    ref: ChatRef
    kind: ChatKind
    lang: str | None = None
    tz: str | None = None
    active: bool = True

    def chat(self) -> Chat:
        return Chat(self.id, self.ref, self.kind, self.lang, self.tz)


@dataclass
class AnswerRow:
    id: int
    learner_id: int
    chat_id: int | None
    question_id: str
    topic: str
    mode: Mode
    score: float
    verdict: str
    hints: int
    text: str
    answered_at: datetime
    local_day: date


@dataclass
class LinkRow:
    learner_id: int
    platform: str
    expires_at: datetime
    used_at: datetime | None = None


@dataclass
class SubscriptionRow:
    id: int
    chat_id: int
    learner_id: int | None
    hour: int
    minute: int
    tz: str
    days: frozenset[int]
    topic: str | None
    role: str | None
    active: bool
    next_due_at: datetime
    paused: str | None = None


@dataclass
class DeliveryRow:
    question_id: str
    status: str
    claimed_by: str
    claimed_at: datetime
    attempts: int
    round_id: int | None
    sent_at: datetime | None = None
    retry_at: datetime | None = None
    last_error: str | None = None


@dataclass
class ReminderRow:
    chat_id: int
    hour: int
    minute: int
    next_due_at: datetime


@dataclass
class State:
    ids: dict[str, int] = field(default_factory=dict)
    learners: dict[int, Learner] = field(default_factory=dict)
    identities: dict[tuple[str, str], int] = field(default_factory=dict)
    chats: dict[int, ChatRow] = field(default_factory=dict)
    sessions: dict[int, OpenQuestion] = field(default_factory=dict)
    asked: dict[tuple[int, str], datetime] = field(default_factory=dict)
    answers: dict[int, AnswerRow] = field(default_factory=dict)
    cards: dict[tuple[int, str], CardState] = field(default_factory=dict)
    rounds: dict[int, Round] = field(default_factory=dict)
    round_answers: dict[tuple[int, int], RoundAnswer] = field(default_factory=dict)
    links: dict[str, LinkRow] = field(default_factory=dict)
    appeals: dict[int, Appeal] = field(default_factory=dict)
    appealed_answers: dict[int, int] = field(default_factory=dict)  # appeal id -> the answer it is about
    refs: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    subscriptions: dict[int, SubscriptionRow] = field(default_factory=dict)
    deliveries: dict[tuple[int, date], DeliveryRow] = field(default_factory=dict)
    reminders: dict[int, ReminderRow] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def chat_by_ref(self, ref: ChatRef) -> ChatRow | None:
        return next((c for c in self.chats.values() if c.ref == ref), None)

    def delete_learner(self, learner_id: int) -> None:
        """What deleting a learner's row does in SQL: cascade, or forget who started a round."""
        self.learners.pop(learner_id, None)
        self.identities = {k: v for k, v in self.identities.items() if v != learner_id}
        self.sessions = {k: s for k, s in self.sessions.items() if s.learner_id != learner_id}
        self.asked = {k: v for k, v in self.asked.items() if k[0] != learner_id}
        self.answers = {k: a for k, a in self.answers.items() if a.learner_id != learner_id}
        self.cards = {k: c for k, c in self.cards.items() if k[0] != learner_id}
        self.round_answers = {k: a for k, a in self.round_answers.items() if k[1] != learner_id}
        self.links = {k: link for k, link in self.links.items() if link.learner_id != learner_id}
        self.appeals = {k: a for k, a in self.appeals.items() if a.learner_id != learner_id}
        self.appealed_answers = {k: a for k, a in self.appealed_answers.items() if k in self.appeals}
        self.reminders.pop(learner_id, None)
        for sid in [s.id for s in self.subscriptions.values() if s.learner_id == learner_id]:
            self.delete_subscription(sid)
        for rid, rnd in self.rounds.items():
            if rnd.started_by == learner_id:
                self.rounds[rid] = replace(rnd, started_by=None)

    def delete_chat(self, chat_id: int) -> None:
        self.chats.pop(chat_id, None)
        self.sessions = {k: s for k, s in self.sessions.items() if s.chat_id != chat_id}
        for rid in [r.id for r in self.rounds.values() if r.chat_id == chat_id]:
            self.rounds.pop(rid)
            self.round_answers = {k: a for k, a in self.round_answers.items() if k[0] != rid}
        for sid in [s.id for s in self.subscriptions.values() if s.chat_id == chat_id]:
            self.delete_subscription(sid)
        self.reminders = {k: r for k, r in self.reminders.items() if r.chat_id != chat_id}
        for row in self.answers.values():
            if row.chat_id == chat_id:
                row.chat_id = None

    def merge_chat(self, source: int, target: int) -> None:
        """Everything of chat `source` becomes `target`'s (as bot.storage.merging.merge_chats)."""
        old, new = self.chats[source], self.chats[target]
        new.lang, new.tz = new.lang or old.lang, new.tz or old.tz
        self.sessions = {k: replace(s, chat_id=target) if s.chat_id == source else s for k, s in self.sessions.items()}
        self.rounds = {k: replace(r, chat_id=target) if r.chat_id == source else r for k, r in self.rounds.items()}
        for row in self.answers.values():
            if row.chat_id == source:
                row.chat_id = target
        for reminder in self.reminders.values():
            if reminder.chat_id == source:
                reminder.chat_id = target
        theirs = [s for s in self.subscriptions.values() if s.chat_id == target]
        for sub in [s for s in self.subscriptions.values() if s.chat_id == source]:
            if theirs:  # the new chat was subscribed already: its own choice stands
                self.delete_subscription(sub.id)
            else:
                sub.chat_id = target
        self.delete_chat(source)

    def delete_subscription(self, subscription_id: int) -> None:
        self.subscriptions.pop(subscription_id, None)
        self.deliveries = {k: d for k, d in self.deliveries.items() if k[0] != subscription_id}
