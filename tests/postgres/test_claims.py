"""Several processes share the question of the day: every delivery claimed by exactly one.

Claims use `SELECT … FOR UPDATE SKIP LOCKED`: on PostgreSQL, a transaction skips the rows
another open transaction holds, so concurrent claimers take disjoint batches. The first tests
hold two transactions open side by side and look (PostgreSQL only: SQLite has a single writer,
so a second write transaction waits instead). The others run whole replicas (each its own
engine and connections) concurrently, on both engines, and count what was sent.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, timedelta
from typing import cast

import pytest
from sqlalchemy import func, insert, select

from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.core.daily.service import DailyService
from bot.core.events import ChatKind, ChatRef, Reply
from bot.core.sending import Delivered, SendResult
from bot.storage.store import SqlStore
from bot.storage.tables import deliveries, subscriptions
from tests.harness import Harness
from tests.postgres.population import add_private_subscribers
from tests.wiring import daily_service

PLATFORM = "test"
LEASE = timedelta(minutes=2)


class Recorder:
    """A Messenger shared by every replica: what was sent to whom, in order."""

    platform = PLATFORM

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        await asyncio.sleep(0)  # let the other replicas run between sends
        self.sent.append(chat.id)
        return Delivered()


def sql(bot: StudyBot) -> SqlStore:
    return cast(SqlStore, bot.store)


def postgres_only(db_engine: str) -> None:
    if db_engine != "postgres":
        pytest.skip("SQLite has one writer: a second write transaction waits rather than skipping rows")


def service(bot: StudyBot, recorder: Recorder, n: int, batch: int = 50) -> DailyService:
    return daily_service(bot, {PLATFORM: recorder}, worker=f"replica-{n}", batch=batch, concurrency=20, lease=LEASE)


async def ledger(store: SqlStore) -> list[tuple[int, str, str, int]]:
    async with store.engine.connect() as conn:
        q = select(deliveries.c.subscription_id, deliveries.c.status, deliveries.c.claimed_by, deliveries.c.attempts)
        return [tuple(r) for r in await conn.execute(q.order_by(deliveries.c.subscription_id))]


async def test_open_claim_transactions_take_disjoint_subscriptions(
    db_engine: str, replicas: list[StudyBot], clock: FakeClock
) -> None:
    postgres_only(db_engine)
    a, b, c = (sql(bot) for bot in replicas)
    now = clock.now()
    await add_private_subscribers(a, 30, PLATFORM, now - timedelta(minutes=1), now)
    async with a.transaction() as ta:
        mine = await ta.subscriptions.due(now, 10, [PLATFORM])
        async with b.transaction() as tb:
            theirs = await tb.subscriptions.due(now, 10, [PLATFORM])
        assert len(mine) == len(theirs) == 10
        assert not {s.id for s in mine} & {s.id for s in theirs}  # B skipped the rows A holds
        for sub in mine:
            await ta.subscriptions.advance(sub.id, now + timedelta(days=1))
    async with c.transaction() as tc:  # after A committed, its subscriptions are no longer due
        rest = await tc.subscriptions.due(now, 100, [PLATFORM])
    assert {s.id for s in rest} == set(range(1, 31)) - {s.id for s in mine}


async def test_open_reclaim_transactions_take_disjoint_stale_claims(
    db_engine: str, replicas: list[StudyBot], clock: FakeClock
) -> None:
    postgres_only(db_engine)
    a, b, _ = (sql(bot) for bot in replicas)
    now = clock.now()
    await add_private_subscribers(a, 20, PLATFORM, now + timedelta(days=1), now)
    await leave_dead_claims(a, range(1, 21), now - timedelta(minutes=10), now.date())
    cutoff = now - LEASE
    async with a.transaction() as ta:
        mine = await ta.deliveries.stale_claims(cutoff, 8, [PLATFORM])
        async with b.transaction() as tb:
            theirs = await tb.deliveries.stale_claims(cutoff, 8, [PLATFORM])
        assert len(mine) == len(theirs) == 8
        assert not {d.subscription.id for d in mine} & {d.subscription.id for d in theirs}
        for d in mine:
            assert await ta.deliveries.reclaim(d, "a", now, cutoff)
    async with b.transaction() as tb:  # too late: A's reclaim renewed the lease
        assert not await tb.deliveries.reclaim(mine[0], "b", now, cutoff)
        left = await tb.deliveries.stale_claims(cutoff, 100, [PLATFORM])
    assert {d.subscription.id for d in left} == set(range(1, 21)) - {d.subscription.id for d in mine}


async def leave_dead_claims(store: SqlStore, ids: range, claimed_at: datetime, day: date) -> None:
    """The ledger a process leaves when it dies after claiming and before confirming."""
    async with store.engine.begin() as conn:
        await conn.execute(
            insert(deliveries),
            [
                {
                    "subscription_id": i,
                    "local_date": day,
                    "question_id": "llm-development-history",
                    "status": "claimed",
                    "claimed_by": "dead:1",
                    "claimed_at": claimed_at,
                    "attempts": 1,
                }
                for i in ids
            ],
        )


async def test_replicas_running_together_deliver_each_subscription_once(
    replicas: list[StudyBot], clock: FakeClock
) -> None:
    now = clock.now()
    store = sql(replicas[0])
    await add_private_subscribers(store, 600, PLATFORM, now - timedelta(seconds=5), now)
    recorder = Recorder()
    reports = await asyncio.gather(*(service(bot, recorder, n).run_due() for n, bot in enumerate(replicas)))
    counts = Counter(recorder.sent)
    assert set(counts) == {str(i) for i in range(1, 601)} and max(counts.values()) == 1
    assert sum(r.claimed for r in reports) == 600 and sum(r.sent for r in reports) == 600
    rows = await ledger(store)
    assert len(rows) == 600 and {r[1] for r in rows} == {"sent"} and {r[3] for r in rows} == {1}
    async with store.engine.connect() as conn:
        assert await conn.scalar(select(func.min(subscriptions.c.next_due_at))) > now


async def test_replicas_share_a_dead_processs_claims_once_its_lease_ran_out(
    replicas: list[StudyBot], clock: FakeClock
) -> None:
    now = clock.now()
    store = sql(replicas[0])
    # 300 subscribers were claimed by a process that then died; their next time is already tomorrow.
    await add_private_subscribers(store, 300, PLATFORM, now + timedelta(days=1), now)
    await leave_dead_claims(store, range(1, 301), now - timedelta(minutes=1), now.date())
    recorder = Recorder()
    services = [service(bot, recorder, n) for n, bot in enumerate(replicas)]
    early = await asyncio.gather(*(s.run_due() for s in services))
    assert recorder.sent == [] and sum(r.reclaimed for r in early) == 0  # the lease still holds
    clock.advance(minutes=2)
    reports = await asyncio.gather(*(s.run_due() for s in services))
    counts = Counter(recorder.sent)
    assert set(counts) == {str(i) for i in range(1, 301)} and max(counts.values()) == 1
    assert sum(r.reclaimed for r in reports) == 300
    rows = await ledger(store)
    assert {r[1] for r in rows} == {"sent"} and {r[3] for r in rows} == {2}
    assert not any(r[2] == "dead:1" for r in rows)


async def test_a_round_due_to_close_is_closed_by_one_replica(replicas: list[StudyBot], clock: FakeClock) -> None:
    group = Harness(replicas[0], user_id="s", user_name="Starter", chat_id="g", chat_kind=ChatKind.GROUP)
    await group.say("/quiz")
    clock.advance(hours=2)
    summaries = await asyncio.gather(*(bot.close_due_rounds() for bot in replicas))
    assert sorted(len(s) for s in summaries) == [0, 0, 1]


async def test_the_ledger_refuses_a_second_claim_for_the_same_day(replicas: list[StudyBot], clock: FakeClock) -> None:
    """The last line of defence: (subscription, local date) is the ledger's key on both engines."""
    now = clock.now()
    store = sql(replicas[0])
    await add_private_subscribers(store, 1, PLATFORM, now, now)
    await leave_dead_claims(store, range(1, 2), now, now.date())
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        await leave_dead_claims(store, range(1, 2), now, now.date())
    assert [r[:3] for r in await ledger(store)] == [(1, "claimed", "dead:1")]
