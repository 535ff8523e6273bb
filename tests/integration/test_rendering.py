"""Charts and decks are drawn after the transaction that read their data has committed."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import AsyncIterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import date, timedelta

import pytest

from bot.content.bank import Bank
from bot.core.clock import FakeClock
from bot.core.documents import DayPoint, Deck, DeckNote, Drawing, StatsChart
from bot.core.ports.store import Store, Tx
from bot.rendering.renderer import LocalRenderer, stop_rendering
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


def _chart(title: str, topics: tuple[str, ...]) -> StatsChart:
    start = date(2026, 1, 1)
    days = tuple(DayPoint(start + timedelta(days=i), i % 3, None if i % 3 == 0 else 10.0 * (i % 10)) for i in range(30))
    return StatsChart(title, days, tuple((name, (i % 5) / 4) for i, name in enumerate(topics)))


def _deck(lang: str, prompt: str) -> Deck:
    note = DeckNote("q1", "rag", prompt, "an <answer>\nover two lines", ("a point", "another"))
    return Deck("studybot", f"deck-{lang}", lang, (note,))


@pytest.mark.parametrize(
    ("lang", "title", "topics", "prompt"),
    [
        ("en", "Your progress", ("Retrieval", "Tokenization"), "What is RAG?"),
        ("zh", "你的进度", ("检索增强", "分词"), "什么是检索增强生成？"),
    ],
)
async def test_the_local_renderer_draws_in_its_worker_and_replaces_a_dead_one(
    lang: str, title: str, topics: tuple[str, ...], prompt: str
) -> None:
    renderer = LocalRenderer()
    chart, deck = _chart(title, topics), _deck(lang, prompt)
    assert (await renderer.render(chart)).startswith(b"\x89PNG")
    assert (await renderer.render(deck)).startswith(b"PK")  # an .apkg is a zip archive
    for child in multiprocessing.active_children():  # the worker dies (killed, out of memory)
        os.kill(child.pid or 0, signal.SIGKILL)
    with contextlib.suppress(BrokenProcessPool):  # the drawing under way when it died is lost
        await renderer.render(chart)
    assert (await renderer.render(chart)).startswith(b"\x89PNG")  # a new worker took over
    stop_rendering()
    assert (await renderer.render(deck)).startswith(b"PK")  # and after a stop, the next drawing starts one
    stop_rendering()
