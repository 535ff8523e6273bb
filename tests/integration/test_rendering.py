"""Charts and decks are drawn after the transaction that read their data has committed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from bot.content.bank import Bank
from bot.core.clock import FakeClock
from bot.core.documents import Deck, Drawing, StatsChart
from bot.core.ports.store import Store, Tx
from bot.storage.store import SqlStore
from tests.harness import Harness
from tests.wiring import system


class CountingStore:
    """The store, counting the transactions open right now."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.open = 0

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Tx]:
        self.open += 1
        try:
            async with self.store.transaction() as tx:
                yield tx
        finally:
            self.open -= 1

    async def close(self) -> None:
        await self.store.close()


class WatchingRenderer:
    def __init__(self, store: CountingStore) -> None:
        self.store = store
        self.seen: list[tuple[Drawing, int]] = []

    async def render(self, drawing: Drawing) -> bytes:
        self.seen.append((drawing, self.store.open))
        return b"drawn"


async def test_stats_and_export_render_outside_any_transaction(bank: Bank, store: SqlStore, clock: FakeClock) -> None:
    counting = CountingStore(store)
    renderer = WatchingRenderer(counting)
    harness = Harness(system(bank, counting, clock, renderer=renderer).bot)
    await harness.say("/quiz")
    await harness.say("no idea")  # a miss: the deck has a note
    [stats] = await harness.say("/stats")
    [export] = await harness.say("/export")
    assert [(type(d), open_then) for d, open_then in renderer.seen] == [(StatsChart, 0), (Deck, 0)]
    chart, deck = renderer.seen[0][0], renderer.seen[1][0]
    assert isinstance(chart, StatsChart) and len(chart.days) == 30 and chart.days[-1].answers == 1
    assert isinstance(deck, Deck) and len(deck.notes) == 1 and deck.notes[0].key_points
    for reply in (stats, export):
        assert reply.attachment is not None and reply.attachment.data == b"drawn" and reply.attachment.drawing is None
