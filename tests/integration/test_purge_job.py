"""The daily purge as APScheduler runs it: armed at start, retention from the settings, time from the clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.bootstrap import System
from bot.content.bank import Bank
from bot.core.clock import FakeClock
from bot.core.events import UserRef
from bot.core.purge import PurgeReport, Retention
from bot.scheduling.scheduler import PURGE_JOB
from bot.storage.store import SqlStore
from tests import wiring


def purging_system(bank: Bank, store: SqlStore, clock: FakeClock) -> System:
    settings = wiring.test_settings(ledger_retention_days=30, expired_retention_hours=1)
    return wiring.system(bank, store, clock, settings=settings)


async def test_retention_comes_from_the_settings_and_defaults_are_documented(
    bank: Bank, store: SqlStore, clock: FakeClock
) -> None:
    assert purging_system(bank, store, clock).scheduler.retention == Retention(timedelta(days=30), timedelta(hours=1))
    assert wiring.system(bank, store, clock).scheduler.retention == Retention(timedelta(days=90), timedelta(0))


async def test_the_purge_job_runs_daily_and_deletes_by_the_clock(bank: Bank, store: SqlStore, clock: FakeClock) -> None:
    system = purging_system(bank, store, clock)
    now = clock.now()
    async with store.transaction() as tx:
        ada = await tx.learners.resolve(UserRef("telegram", "1"), "Ada", "en", now)
        await tx.links.create("OLDCODE2", ada.id, "telegram", now - timedelta(hours=2))
        await tx.links.create("NEWCODE2", ada.id, "telegram", now - timedelta(minutes=30))
        await tx.refs.put("tg:poll:old", "x", now - timedelta(hours=3))
    scheduler = system.scheduler
    await scheduler.start()
    try:
        job = scheduler.aps.get_job(PURGE_JOB)
        assert job is not None and isinstance(job.trigger, CronTrigger)
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["day"], fields["hour"], fields["minute"]) == ("*", "3", "17")  # once a day, 03:17 UTC
        assert job.next_run_time.astimezone(UTC).strftime("%H:%M") == "03:17"
        clock.advance(minutes=31)  # the newer code is now more than the hour's retention past its expiry
        job.modify(next_run_time=datetime.now(UTC))  # APScheduler runs it now; what is due comes from `clock`
        scheduler.aps.wakeup()
        for _ in range(500):
            async with store.transaction() as tx:
                if await tx.links.owner("NEWCODE2") is None:
                    break
            await asyncio.sleep(0.02)
        async with store.transaction() as tx:
            assert await tx.links.owner("OLDCODE2") is None and await tx.links.owner("NEWCODE2") is None
            assert await tx.refs.get("tg:poll:old", now - timedelta(days=1)) is None
        assert scheduler.aps.get_job(PURGE_JOB) is not None  # re-armed for tomorrow
    finally:
        await scheduler.stop()


async def test_a_failing_purge_is_logged_not_raised(
    bank: Bank, store: SqlStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    system = purging_system(bank, store, clock)
    assert await system.scheduler.purge() == PurgeReport(0, 0, 0)
    async with store.transaction() as tx:
        await tx.conn.exec_driver_sql("DROP TABLE refs")  # a broken database: the job logs, tomorrow retries
    assert await system.scheduler.purge() is None
    assert "the daily purge failed" in caplog.text


async def test_a_message_for_a_platform_not_running_here_is_not_reported_delivered(
    bank: Bank, store: SqlStore, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.core.app import Outgoing
    from bot.core.events import ChatRef, Part, Reply
    from bot.core.sending import Retry

    system = wiring.system(bank, store, clock)  # no adapters: no platform runs in this process
    result = await system.scheduler.post(Outgoing(ChatRef("discord", "42"), Reply((Part("round summary"),), lang="en")))
    assert isinstance(result, Retry) and "discord" in result.reason
    assert "not running" in caplog.text
