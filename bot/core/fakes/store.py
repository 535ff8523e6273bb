"""The in-memory Store: every repository over one copy of the tables per transaction."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from bot.core.fakes.daily import MemoryBatch, MemoryDeliveries, MemoryReminders, MemorySubscriptions
from bot.core.fakes.learning import MemoryAnswers, MemoryAppeals, MemoryCards, MemoryRefs, MemoryRounds, MemorySessions
from bot.core.fakes.people import MemoryChats, MemoryLearners, MemoryLinks
from bot.core.fakes.purge import MemoryPurge
from bot.core.fakes.state import State
from bot.core.ports.store import Store


class MemoryTx:
    """Implements bot.core.ports.store.Tx over `state` (a transaction's own copy of the tables)."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.learners = MemoryLearners(state)
        self.chats = MemoryChats(state)
        self.sessions = MemorySessions(state)
        self.answers = MemoryAnswers(state)
        self.cards = MemoryCards(state)
        self.rounds = MemoryRounds(state)
        self.links = MemoryLinks(state)
        self.appeals = MemoryAppeals(state)
        self.refs = MemoryRefs(state)
        self.subscriptions = MemorySubscriptions(state)
        self.deliveries = MemoryDeliveries(state)
        self.reminders = MemoryReminders(state)
        self.batch = MemoryBatch(state)
        self.purge = MemoryPurge(state)


class MemoryStore:
    """Implements bot.core.ports.store.Store: one transaction at a time; an exception rolls it back."""

    def __init__(self) -> None:
        self.state = State()
        self.transactions = 0  # committed, for tests that count them
        self.open = 0  # transactions in progress right now
        self._lock = asyncio.Lock()

    def transaction(self) -> AbstractAsyncContextManager[MemoryTx]:
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[MemoryTx]:
        async with self._lock:
            working = copy.deepcopy(self.state)
            self.open += 1
            try:
                yield MemoryTx(working)
            finally:
                self.open -= 1
            self.state = working  # reached only without an exception: commit
            self.transactions += 1

    async def close(self) -> None:
        """Nothing to release."""


def _is_a_store(store: MemoryStore) -> Store:
    """Never called: mypy checks here that the fake implements every port of the real one."""
    return store
