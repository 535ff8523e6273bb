"""APScheduler (3.x, AsyncIOScheduler) drives the core's time-based work.

The work itself is a function of "now" in the core (DailyService.run_due, run_reminders,
StudyBot.close_due_rounds), so tests call it directly with a fake clock. This module only
decides *when* to call it: a one-off job at the next due time, re-armed from the database at
start, after every run and whenever a subscription changes, plus a slow safety tick (in case
another process changed the schedule, or a wake-up was lost).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.app import Outgoing, StudyBot
from bot.core.daily.service import DailyService

log = logging.getLogger(__name__)

NEXT_JOB = "daily-next"
SAFETY_JOB = "daily-safety"
ROUNDS_JOB = "rounds-close"


class Scheduler:
    def __init__(
        self,
        bot: StudyBot,
        daily: DailyService,
        post: Callable[[Outgoing], Awaitable[bool]],
        safety_seconds: float = 60.0,
        rounds_seconds: float = 15.0,
    ) -> None:
        self.bot = bot
        self.daily = daily
        self.post = post
        self.safety_seconds = safety_seconds
        self.rounds_seconds = rounds_seconds
        self.aps = AsyncIOScheduler(timezone=UTC)
        self._running = asyncio.Lock()

    async def start(self) -> None:
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
        self.bot.services.hooks.schedule_changed = self.schedule_changed
        await self.tick()  # deliveries missed while down, and claims a dead process left behind

    async def stop(self) -> None:
        self.bot.services.hooks.schedule_changed = lambda: None
        if self.aps.running:
            self.aps.shutdown(wait=False)
        async with self._running:  # let a delivery run in flight finish
            pass

    def schedule_changed(self) -> None:
        asyncio.get_running_loop().create_task(self.rearm())

    async def rearm(self) -> datetime | None:
        """Wake the delivery step when the next subscription or reminder is due."""
        when = await self.daily.next_wakeup()
        if when is None:
            if self.aps.get_job(NEXT_JOB):
                self.aps.remove_job(NEXT_JOB)
            return None
        when = max(when, self.bot.clock.now() + timedelta(milliseconds=10))
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
                if not await self.post(outgoing):
                    await self.bot.chat_unreachable(outgoing.chat)
        except Exception:
            log.exception("closing due rounds failed")
