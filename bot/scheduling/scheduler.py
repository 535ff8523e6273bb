"""APScheduler (3.x, AsyncIOScheduler) drives the core's time-based work.

The work itself is a function of "now" in the core (DailyService.run_due, run_reminders,
StudyBot.close_due_rounds), so tests call it directly with a fake clock. This module only
decides *when* to call it: a one-off job at the next due time, re-armed from the database at
start, after every run and whenever the core signals a change (its `Wakeup`, set once the change
has committed), plus a slow safety tick (in case another process changed the schedule).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.app import Outgoing, StudyBot
from bot.core.clock import Clock
from bot.core.daily.service import DailyService
from bot.core.purge import PurgeReport, Retention, purge
from bot.core.sending import SendResult
from bot.core.wakeup import Wakeup

if (
    TYPE_CHECKING
):  # APScheduler is imported when the scheduler starts: the terminal chat starts it after its first prompt
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)

NEXT_JOB = "daily-next"
SAFETY_JOB = "daily-safety"
ROUNDS_JOB = "rounds-close"
PURGE_JOB = "purge"
PURGE_AT = {"hour": 3, "minute": 17}  # UTC, daily: a quiet hour, off the round minute every cron job picks


class Scheduler:
    def __init__(
        self,
        bot: StudyBot,
        daily: DailyService,
        post: Callable[[Outgoing], Awaitable[SendResult]],
        clock: Clock,
        wakeup: Wakeup,
        safety_seconds: float = 60.0,
        rounds_seconds: float = 15.0,
        retention: Retention | None = None,
    ) -> None:
        self.bot = bot
        self.daily = daily
        self.post = post
        self.clock = clock
        self.wakeup = wakeup
        self.safety_seconds = safety_seconds
        self.rounds_seconds = rounds_seconds
        self.retention = retention or Retention()
        self._aps: AsyncIOScheduler | None = None
        self._running = asyncio.Lock()
        self._listener: asyncio.Task[None] | None = None

    @property
    def aps(self) -> AsyncIOScheduler:
        if self._aps is None:
            from apscheduler.schedulers.asyncio import AsyncIOScheduler

            self._aps = AsyncIOScheduler(timezone=UTC)
        return self._aps

    async def start(self) -> None:
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        self.aps.start()
        self.aps.add_job(
            self.tick,
            IntervalTrigger(seconds=self.safety_seconds),
            id=SAFETY_JOB,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        self.aps.add_job(
            self.close_rounds,
            IntervalTrigger(seconds=self.rounds_seconds),
            id=ROUNDS_JOB,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        self.aps.add_job(
            self.purge,
            CronTrigger(**PURGE_AT, timezone=UTC),
            id=PURGE_JOB,
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
        self._listener = asyncio.create_task(self._rearm_on_changes(), name="schedule-changes")
        await self.tick()  # deliveries missed while down, and claims a dead process left behind

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if self._aps is not None and self._aps.running:
            self._aps.shutdown(wait=False)
        async with self._running:  # let a delivery run in flight finish
            pass

    async def _rearm_on_changes(self) -> None:
        while True:
            await self.wakeup.wait()
            try:
                await self.rearm()
            except Exception:
                log.exception("re-arming after a schedule change failed; the safety tick retries")

    async def rearm(self) -> datetime | None:
        """Wake the delivery step when the next subscription or reminder is due."""
        from apscheduler.triggers.date import DateTrigger

        when = await self.daily.next_wakeup()
        if when is None:
            if self.aps.get_job(NEXT_JOB):
                self.aps.remove_job(NEXT_JOB)
            return None
        when = max(when, self.clock.now() + timedelta(milliseconds=10))
        self.aps.add_job(
            self.tick,
            DateTrigger(run_date=when),
            id=NEXT_JOB,
            replace_existing=True,
            misfire_grace_time=None,
            coalesce=True,
        )
        return when

    async def tick(self) -> None:
        async with self._running:
            try:
                report = await self.daily.run_due()
                if report.claimed or report.reclaimed or report.missed:
                    log.info("question of the day: %s", report)
                await self.daily.run_reminders()
            except Exception:
                log.exception("the delivery step failed; the safety tick retries")
        await self.rearm()

    async def close_rounds(self) -> None:
        try:
            for outgoing in await self.bot.close_due_rounds():
                await self.bot.send_result(outgoing.chat, await self.post(outgoing))
        except Exception:
            log.exception("closing due rounds failed")

    async def purge(self) -> PurgeReport | None:
        """Expired refs and link codes, old ledger rows: deleted by the clock's now (retention in settings)."""
        try:
            report = await purge(self.bot.store, self.clock.now(), self.retention)
        except Exception:
            log.exception("the daily purge failed; tomorrow's run retries")
            return None
        log.info("purged: %s", report)
        return report
