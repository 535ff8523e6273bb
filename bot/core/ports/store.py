"""One transaction holding every repository, and the store that opens them.

One `Tx` is one database transaction: everything done through it is committed together when the
`async with store.transaction()` block ends, before the core answers the user; an exception
inside the block rolls all of it back.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.core.ports.answers import AnswerRepo, AppealRepo
from bot.core.ports.cards import CardRepo
from bot.core.ports.daily import BatchRepo, DeliveryLedger, ReminderRepo, SubscriptionRepo
from bot.core.ports.people import ChatRepo, LearnerRepo, LinkRepo
from bot.core.ports.purge import PurgeRepo
from bot.core.ports.refs import RefRepo
from bot.core.ports.rounds import RoundRepo
from bot.core.ports.sessions import SessionRepo


class Tx(Protocol):
    @property
    def learners(self) -> LearnerRepo: ...
    @property
    def chats(self) -> ChatRepo: ...
    @property
    def sessions(self) -> SessionRepo: ...
    @property
    def answers(self) -> AnswerRepo: ...
    @property
    def cards(self) -> CardRepo: ...
    @property
    def rounds(self) -> RoundRepo: ...
    @property
    def links(self) -> LinkRepo: ...
    @property
    def appeals(self) -> AppealRepo: ...
    @property
    def refs(self) -> RefRepo: ...
    @property
    def subscriptions(self) -> SubscriptionRepo: ...
    @property
    def deliveries(self) -> DeliveryLedger: ...
    @property
    def reminders(self) -> ReminderRepo: ...
    @property
    def batch(self) -> BatchRepo: ...
    @property
    def purge(self) -> PurgeRepo: ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...
    async def close(self) -> None: ...
