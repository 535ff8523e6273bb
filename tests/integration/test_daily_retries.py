"""A question of the day the platform did not take: tried again with growing back-off, given up
for the day after the policy's last try (and /daily says so), the scheduler woken for each try."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.core.daily.service import DailyService
from bot.core.events import ChatKind
from bot.core.ports.daily import DeliveryKey
from bot.core.sending import Delivered, Retry, SendResult, Uncertain
from bot.scheduling.scheduler import NEXT_JOB, Scheduler
from bot.storage.store import SqlStore
from bot.storage.tables import deliveries, subscriptions
from tests.harness import Harness, keys
from tests.integration.test_daily import Recorder
from tests.wiring import daily_service

DAY = date(2026, 3, 2)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def daily(studybot: StudyBot, recorder: Recorder) -> DailyService:
    return daily_service(studybot, {"test": recorder}, worker="w1")


def failures(rng: random.Random, n: int) -> list[Retry | Uncertain]:
    """What a bad day of a platform looks like: 5xx (some with a wait the platform asked for), timeouts."""
    picks: list[Retry | Uncertain] = [
        Retry("502 Bad Gateway"),
        Retry("429 past the budget", 900.0),
        Retry("network: ClientConnectorError"),
        Uncertain("timed out"),
    ]
    return [rng.choice(picks) for _ in range(n)]


async def ledger(store: SqlStore) -> tuple[int, str, datetime | None, str | None]:
    async with store.engine.connect() as conn:
        row = (
            await conn.execute(
                select(
                    deliveries.c.subscription_id, deliveries.c.status, deliveries.c.retry_at, deliveries.c.last_error
                )
            )
        ).one()
    return row.subscription_id, row.status, row.retry_at, row.last_error


@pytest.mark.parametrize(("seed", "lang"), [(1, "en"), (2, "zh"), (3, "en"), (4, "zh")])
async def test_back_off_grows_to_its_cap_then_gives_up_for_the_day(
    harness: Harness,
    clock: FakeClock,
    daily: DailyService,
    recorder: Recorder,
    store: SqlStore,
    seed: int,
    lang: str,
) -> None:
    policy = daily.retries
    tries = failures(random.Random(seed), policy.max_attempts)
    await harness.say(f"/lang {lang}")
    await harness.say("/daily 09:05 UTC")
    clock.set(datetime(2026, 3, 2, 9, 5, tzinfo=UTC))
    recorder.results = list(tries)
    waits: list[timedelta] = []
    for attempt, result in enumerate(tries, start=1):
        report = await daily.run_due()
        assert (report.retried, report.sent) == (1, 0) and not recorder.sent
        sub_id, status, retry_at, why = await ledger(store)
        expected = policy.next_try(DeliveryKey(sub_id, DAY), attempt, result, clock.now())
        if expected is None:  # the last try: given up for today, with its reason
            assert attempt == policy.max_attempts and report.abandoned == 1 and status == "abandoned"
            break
        assert status == "claimed" and retry_at == expected and why is not None and result.reason in why
        if isinstance(result, Uncertain):
            assert expected - clock.now() == policy.uncertain  # soon: inside Discord's nonce window
        else:
            wait = expected - clock.now()
            assert wait >= timedelta(seconds=result.after)  # never sooner than the platform asked
            if not result.after:  # the back-off's own wait grows, up to its cap
                assert not waits or wait >= min(waits[-1], policy.cap * 0.75)
                waits.append(wait)
        clock.set(expected - timedelta(seconds=1))
        assert (await daily.run_due()).retried == 0  # not before its time
        clock.set(expected)
    assert len(recorder.results) == 0  # every try was made
    shown = await harness.say("/daily")
    assert keys(shown) == ["daily.gave_up", "daily.current"]
    assert str(policy.max_attempts) in shown[0].plain() and tries[-1].reason in shown[0].plain()
    assert (await daily.run_due()).claimed == 0  # nothing more today
    clock.set(datetime(2026, 3, 3, 9, 5, tzinfo=UTC))
    assert (await daily.run_due()).sent == 1  # tomorrow's comes as usual
    assert keys(await harness.say("/daily")) == ["daily.current"]  # and /daily no longer mentions it
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(subscriptions.c.active))).scalar() is True


async def test_the_scheduler_wakes_for_each_try(
    harness: Harness, studybot: StudyBot, clock: FakeClock, daily: DailyService, recorder: Recorder, store: SqlStore
) -> None:
    clock.set(datetime(2030, 1, 7, 8, 0, tzinfo=UTC))  # ahead of the wall clock: APScheduler never fires by itself

    async def post(_: object) -> SendResult:
        return Delivered()

    scheduler = Scheduler(studybot, daily, post, clock, studybot.services.wakeup)
    await scheduler.start()
    try:
        await harness.say("/daily 09:00 UTC")
        clock.set(datetime(2030, 1, 7, 9, 0, tzinfo=UTC))
        recorder.results = [Retry("503 Service Unavailable"), Retry("503 Service Unavailable")]
        retry_ats: list[datetime] = []
        for _ in range(2):
            await scheduler.tick()  # what the armed job runs
            _, status, retry_at, _ = await ledger(store)
            job = scheduler.aps.get_job(NEXT_JOB)
            assert status == "claimed" and retry_at is not None and job is not None
            assert job.next_run_time == retry_at  # woken for the try, not at the next lease or tick
            retry_ats.append(retry_at)
            clock.set(retry_at)
        assert retry_ats[1] - retry_ats[0] > retry_ats[0] - datetime(2030, 1, 7, 9, 0, tzinfo=UTC)
        await scheduler.tick()
        assert len(recorder.sent) == 1 and (await ledger(store))[1] == "sent"
        job = scheduler.aps.get_job(NEXT_JOB)
        assert job is not None and job.next_run_time == datetime(2030, 1, 8, 9, 0, tzinfo=UTC)
    finally:
        await scheduler.stop()


@pytest.mark.parametrize("group", [False, True])
async def test_an_answer_to_an_uncertain_question_settles_it_without_a_resend(
    harness: Harness, clock: FakeClock, daily: DailyService, recorder: Recorder, store: SqlStore, group: bool
) -> None:
    if group:
        harness.chat_kind, harness.chat_id, harness.is_admin = ChatKind.GROUP, "grp", True
    await harness.say("/daily 09:05 UTC")
    clock.set(datetime(2026, 3, 2, 9, 5, tzinfo=UTC))
    recorder.results = [Uncertain("timed out")]  # the platform may have it: nothing tells
    assert (await daily.run_due()).retried == 1
    async with store.engine.connect() as conn:
        question_id = (await conn.execute(select(deliveries.c.question_id))).scalar_one()
    answer = harness.bot.bank.by_id[question_id].answer
    assert answer is not None
    clock.advance(seconds=10)
    member = harness.as_user("ada", "Ada") if group else harness
    await member.say(answer.en, addressed=True)  # only possible if the message arrived
    clock.advance(seconds=daily.retries.uncertain.total_seconds())
    report = await daily.run_due()
    assert (report.reconciled, report.reclaimed) == (1, 0) and not recorder.sent  # not sent twice
    assert (await ledger(store))[1] == "sent"
