"""The store survives callers cancelled inside their transactions (issue 15 item 7).

A seeded loop cancels writers at random points: waiting for the write lock, opening the
transaction, between and (on PostgreSQL) inside statements, while committing. After every
cancellation the next write must succeed and each cancelled transaction must be all or nothing.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from bot.storage.store import SqlStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=1)
WRITES = 3  # rows per transaction: all of them are visible afterwards, or none


async def write_rows(store: SqlStore, tag: str, rng: random.Random) -> None:
    async with store.transaction() as tx:
        for j in range(WRITES):
            await tx.refs.put(f"{tag}:{j}", "v", LATER)
            for _ in range(rng.randrange(3)):  # give the canceller somewhere to land between statements
                await asyncio.sleep(0)


async def visible(store: SqlStore, tag: str) -> int:
    async with store.transaction() as tx:
        return sum([await tx.refs.get(f"{tag}:{j}", NOW) is not None for j in range(WRITES)])


async def test_cancelled_writers_leave_no_lock_and_no_partial_write(store: SqlStore) -> None:
    rng = random.Random(15)
    outcomes = {"cancelled": 0, "finished": 0}
    for i in range(80):
        tags = [f"w{i}.{k}" for k in range(rng.choice((1, 2, 3)))]  # sometimes several writers queue up
        tasks = [asyncio.create_task(write_rows(store, tag, rng)) for tag in tags]
        # SQLite transactions end within a few loop steps, PostgreSQL statements take many: both ranges.
        for _ in range(rng.randrange(6) if rng.random() < 0.5 else rng.randrange(60)):
            await asyncio.sleep(0)
        victim = rng.randrange(len(tasks))
        tasks[victim].cancel()
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=60)
        for result in results:
            assert result is None or isinstance(result, asyncio.CancelledError), result
            outcomes["cancelled" if result is not None else "finished"] += 1
        # The next write goes through (no lock left held, no broken pool) ...
        await asyncio.wait_for(write_rows(store, f"after{i}", rng), timeout=60)
        assert await visible(store, f"after{i}") == WRITES
        # ... and every transaction, cancelled or not, is all or nothing.
        for tag, result in zip(tags, results, strict=True):
            seen = await visible(store, tag)
            assert seen in (0, WRITES), (tag, seen)
            if result is None:
                assert seen == WRITES
    # The seed must exercise both sides: cancellations that landed, and transactions that finished.
    assert outcomes["cancelled"] >= 10 and outcomes["finished"] >= 10, outcomes
