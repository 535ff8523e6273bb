"""The question of the day through the core, with a fake clock and a recording messenger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.core.daily.service import DailyService
from bot.core.events import ChatKind, ChatRef, Reply
from bot.core.sending import Delivered, Paused, Refused, Retry, SendResult, Uncertain
from bot.storage.store import SqlStore
from bot.storage.tables import deliveries, subscriptions
from tests.harness import Harness, keys
from tests.wiring import daily_service


class Recorder:
    """A Messenger that records what it is asked to send."""

    def __init__(self, platform: str = "test", unreachable: set[str] | None = None) -> None:
        self.platform = platform
        self.sent: list[tuple[ChatRef, Reply]] = []
        self.unreachable = unreachable or set()
        self.results: list[SendResult] = []  # what the next sends end in, instead of being delivered

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        if chat.id in self.unreachable:
            return Paused("Forbidden: bot was blocked by the user")
        if self.results:
            return self.results.pop(0)
        self.sent.append((chat, reply))
        return Delivered()

    def to(self, chat_id: str) -> list[Reply]:
        return [r for c, r in self.sent if c.id == chat_id]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def daily(studybot: StudyBot, recorder: Recorder) -> DailyService:
    return daily_service(studybot, {"test": recorder}, worker="w1", lease=timedelta(seconds=30))


async def test_subscribe_show_and_unsubscribe(harness: Harness, clock: FakeClock) -> None:
    assert keys(await harness.say("/daily")) == ["daily.none"]
    [set_] = await harness.say("/daily 08:30 Europe/Berlin weekdays rag")
    assert set_.keys == ("daily.set",) and "08:30 (Europe/Berlin), weekdays, topic: rag" in set_.plain()
    [shown] = await harness.say("/daily")
    assert "Next: 2026-03-03 (Tue) 08:30" in shown.plain()  # the clock says Mon 09:00 UTC = 10:00 Berlin
    [changed] = await harness.say("/daily 07:00")  # what is not given keeps its value
    assert "07:00 (Europe/Berlin), weekdays, topic: rag" in changed.plain()
    assert keys(await harness.say("/daily 25:00")) == ["daily.bad_time"]
    assert keys(await harness.say("/daily 08:00 Mars/Base")) == ["tz.bad"]
    assert keys(await harness.say("/daily tomorrow-ish")) == ["daily.usage"]
    assert keys(await harness.say("/daily off")) == ["daily.off"]
    assert keys(await harness.say("/daily")) == ["daily.none"]


async def test_only_admins_change_a_groups_subscription(harness: Harness) -> None:
    harness.chat_kind, harness.chat_id = ChatKind.GROUP, "g"
    member = harness.as_user("m", "Member")
    admin = harness.as_user("a", "Admin", is_admin=True)
    assert keys(await member.say("/daily 09:00")) == ["daily.admins_only"]
    assert keys(await admin.say("/daily 09:00 UTC <@&12345>")) == ["daily.set"]
    assert keys(await member.say("/daily")) == ["daily.current"]  # anyone may look
    assert keys(await member.say("/daily off")) == ["daily.admins_only"]


async def test_private_delivery_exactly_once_per_local_day(
    harness: Harness, clock: FakeClock, daily: DailyService, recorder: Recorder, store: SqlStore
) -> None:
    await harness.say("/daily 10:15 UTC")
    assert (await daily.run_due()).claimed == 0  # not yet
    clock.set(datetime(2026, 3, 2, 10, 15, tzinfo=UTC))
    report = await daily.run_due()
    assert report.claimed == 1 and report.sent == 1
    [reply] = recorder.to("u1")
    assert reply.parts[0].key == "daily.title"
    assert (await daily.run_due()).claimed == 0  # a retry the same day sends nothing
    q = harness.question_of(reply)
    assert q.answer is not None
    [graded] = await harness.say(q.answer.en)  # the daily question is open for an answer
    assert graded.parts[0].key == "grade.score"
    clock.set(datetime(2026, 3, 3, 10, 16, tzinfo=UTC))
    await daily.run_due()
    assert len(recorder.to("u1")) == 2
    async with store.engine.connect() as conn:
        rows = (await conn.execute(select(deliveries.c.status, deliveries.c.local_date))).all()
    assert [r.status for r in rows] == ["sent", "sent"]


async def test_due_review_comes_first_in_private(
    harness: Harness, clock: FakeClock, daily: DailyService, recorder: Recorder
) -> None:
    [question] = await harness.say("/quiz basics")
    await harness.say("vague words about nothing in particular")  # Again: due again soon
    await harness.say("/daily 12:00 UTC")
    clock.set(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    await daily.run_due()
    [reply] = recorder.to("u1")
    assert "review.title" in reply.keys and harness.question_of(reply).id == harness.question_of(question).id


async def test_group_daily_is_a_round_closed_before_the_next_post(
    harness: Harness, clock: FakeClock, daily: DailyService, recorder: Recorder
) -> None:
    harness.chat_kind, harness.chat_id, harness.is_admin = ChatKind.GROUP, "grp", True
    await harness.say("/daily 09:30 UTC")
    clock.set(datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    await daily.run_due()
    [post] = recorder.to("grp")
    assert post.answer_form is not None and post.answer_form.round is not None and post.parts[0].key == "daily.title"
    q = harness.question_of(post)
    ada, bob = harness.as_user("ada", "Ada"), harness.as_user("bob", "Bob")
    await ada.say(q.answer.en, addressed=True)  # type: ignore[union-attr]
    await bob.say("something short and wrong about apples", addressed=True)
    clock.set(datetime(2026, 3, 3, 8, 29, tzinfo=UTC))
    assert await harness.bot.close_due_rounds() == []
    clock.set(datetime(2026, 3, 3, 8, 30, tzinfo=UTC))  # one hour before the next post
    [summary] = await harness.bot.close_due_rounds()
    assert summary.chat.id == "grp" and "2 answers" in summary.reply.plain()
    assert summary.reply.plain().index("Ada") < summary.reply.plain().index("Bob")


async def test_same_question_for_a_date_and_no_repeats_until_exhausted(
    studybot: StudyBot, clock: FakeClock, recorder: Recorder
) -> None:
    from bot.core.daily.service import pick_daily
    from bot.core.ports.daily import Subscription

    sub = Subscription(
        1,
        1,
        ChatRef("test", "c"),
        ChatKind.GROUP,
        None,
        None,
        None,
        9,
        0,
        "UTC",
        frozenset(range(7)),
        "hallucination",
        None,
        True,
        clock.now(),
    )
    pool = sorted((q for q in studybot.bank.by_topic["hallucination"] if q.answered), key=lambda q: q.id)
    day = clock.now().date()
    assert pick_daily(sub, day, pool, set()) == pick_daily(sub, day, pool, set())
    used: set[str] = set()
    for i in range(len(pool)):
        q = pick_daily(sub, day + timedelta(days=i), pool, used)
        assert q is not None and q.id not in used
        used.add(q.id)
    assert pick_daily(sub, day + timedelta(days=99), pool, used) is not None  # a new cycle starts


async def test_blocked_chats_are_unsubscribed_and_the_broadcast_goes_on(
    studybot: StudyBot, clock: FakeClock, store: SqlStore
) -> None:
    recorder = Recorder(unreachable={"u2"})
    daily = daily_service(studybot, {"test": recorder}, worker="w1")
    for uid in ("u1", "u2", "u3"):
        await Harness(studybot, user_id=uid).say("/daily 09:05 UTC")
    clock.set(datetime(2026, 3, 2, 9, 5, tzinfo=UTC))
    report = await daily.run_due()
    assert (report.sent, report.failed) == (2, 1)
    async with store.engine.connect() as conn:
        active = (
            await conn.execute(select(func.count()).select_from(subscriptions).where(subscriptions.c.active.is_(True)))
        ).scalar()
    assert active == 2


async def test_a_blocked_chat_is_paused_and_a_command_there_resumes_it(
    harness: Harness, clock: FakeClock, store: SqlStore
) -> None:
    recorder = Recorder(unreachable={"u1"})
    daily = daily_service(harness.bot, {"test": recorder}, worker="w1")
    await harness.say("/daily 09:05 UTC")
    clock.set(datetime(2026, 3, 2, 9, 5, tzinfo=UTC))
    assert (await daily.run_due()).failed == 1
    assert (await daily.run_due()).claimed == 0  # paused: not due any more
    clock.set(datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    shown = await harness.say("/daily")  # the learner unblocked the bot and used a command
    assert keys(shown) == ["daily.resumed", "daily.current"]
    assert "bot was blocked by the user" in shown[0].plain() and "2026-03-04 (Wed) 09:05" in shown[1].plain()
    assert keys(await harness.say("/daily")) == ["daily.current"]  # said once
    recorder.unreachable.clear()
    clock.set(datetime(2026, 3, 4, 9, 5, tzinfo=UTC))
    assert (await daily.run_due()).sent == 1


async def test_retry_and_uncertain_stay_claimed_and_go_out_when_their_time_comes(
    harness: Harness, clock: FakeClock, daily: DailyService, recorder: Recorder, store: SqlStore
) -> None:
    await harness.say("/daily 09:05 UTC")
    clock.set(datetime(2026, 3, 2, 9, 5, tzinfo=UTC))
    recorder.results = [Retry("502 Bad Gateway"), Uncertain("timed out")]
    report = await daily.run_due()
    assert (report.claimed, report.sent, report.retried, report.failed) == (1, 0, 1, 0)
    async with store.engine.connect() as conn:
        status = (await conn.execute(select(deliveries.c.status))).scalar()
    assert status == "claimed"  # nothing is recorded as sent that the platform did not accept
    assert (await daily.run_due()).retried == 0  # postponed: no hammering
    clock.advance(seconds=daily.retries.first.total_seconds())
    assert (await daily.run_due()).retried == 1  # the uncertain try: still not confirmed
    clock.advance(seconds=daily.retries.uncertain.total_seconds())
    report = await daily.run_due()
    assert (report.reclaimed, report.sent) == (1, 1) and len(recorder.to("u1")) == 1
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(deliveries.c.status))).scalar() == "sent"
    async with store.engine.connect() as conn:
        active = (await conn.execute(select(subscriptions.c.active))).scalar()
    assert active is True  # retries never unsubscribe


async def test_a_refused_message_is_settled_without_unsubscribing(
    harness: Harness, clock: FakeClock, daily: DailyService, recorder: Recorder, store: SqlStore
) -> None:
    await harness.say("/daily 09:05 UTC")
    clock.set(datetime(2026, 3, 2, 9, 5, tzinfo=UTC))
    recorder.results = [Refused("Bad Request: message is too long")]
    assert (await daily.run_due()).failed == 1
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(subscriptions.c.active))).scalar() is True


async def test_a_crashed_claim_is_sent_once_after_its_lease(
    harness: Harness, clock: FakeClock, recorder: Recorder, studybot: StudyBot
) -> None:
    await harness.say("/daily 11:00 UTC")
    clock.set(datetime(2026, 3, 2, 11, 0, tzinfo=UTC))
    dead = daily_service(studybot, {"test": Recorder()}, worker="dead", lease=timedelta(seconds=30))
    claimed = await dead._claim(__import__("bot.core.daily.service", fromlist=["RunReport"]).RunReport())
    assert len(claimed) == 1  # claimed, then the process "died" before sending
    alive = daily_service(studybot, {"test": recorder}, worker="alive", lease=timedelta(seconds=30))
    assert (await alive.run_due()).sent == 0  # the lease still protects the claim
    clock.advance(seconds=31)
    report = await alive.run_due()
    assert report.reclaimed == 1 and len(recorder.to("u1")) == 1
    clock.advance(minutes=5)
    assert (await alive.run_due()).sent == 0


async def test_a_crashed_claim_whose_question_left_the_bank_is_settled_not_cycled(
    harness: Harness, clock: FakeClock, recorder: Recorder, studybot: StudyBot, store: SqlStore
) -> None:
    from bot.core.daily.service import RunReport

    await harness.say("/daily 11:00 UTC")
    clock.set(datetime(2026, 3, 2, 11, 0, tzinfo=UTC))
    dead = daily_service(studybot, {"test": Recorder()}, worker="dead", lease=timedelta(seconds=30))
    assert len(await dead._claim(RunReport())) == 1
    async with store.transaction() as tx:  # an upgrade took its question out of the bank meanwhile
        await tx.conn.execute(update(deliveries).values(question_id="no-longer-in-the-bank"))
    alive = daily_service(studybot, {"test": recorder}, worker="alive", lease=timedelta(seconds=30))
    clock.advance(seconds=31)
    report = await alive.run_due()
    assert (report.reclaimed, report.failed, report.sent) == (0, 1, 0) and not recorder.sent
    async with store.engine.connect() as conn:
        assert (await conn.execute(select(deliveries.c.status))).scalar() == "failed"
    clock.advance(minutes=5)
    assert (await alive.run_due()).failed == 0  # settled once, not reclaimed at every lease


async def test_missed_while_down_is_sent_late_the_same_day_and_skipped_after(
    harness: Harness, clock: FakeClock, daily: DailyService, recorder: Recorder
) -> None:
    await harness.say("/daily 09:30 UTC")
    clock.set(datetime(2026, 3, 2, 17, 0, tzinfo=UTC))  # down from 09:30 to 17:00: still Monday
    assert (await daily.run_due()).sent == 1
    other = Harness(harness.bot, user_id="u9")
    await other.say("/daily 09:30 UTC")  # first due Tuesday 09:30
    clock.set(datetime(2026, 3, 5, 8, 0, tzinfo=UTC))  # down until Thursday 08:00
    report = await daily.run_due()
    assert report.skipped_days >= 1 and not recorder.to("u9")  # Tue and Wed are gone; Thu not due yet
    clock.set(datetime(2026, 3, 5, 9, 30, tzinfo=UTC))
    await daily.run_due()
    assert len(recorder.to("u9")) == 1


async def test_evening_reminder_only_with_a_streak_and_no_answer_today(
    harness: Harness, clock: FakeClock, recorder: Recorder, studybot: StudyBot
) -> None:
    daily = daily_service(studybot, {"test": recorder}, worker="w")
    assert keys(await harness.say("/remind on 20:00")) == ["remind.on"]
    await harness.say("/quiz basics")
    await harness.say("something about models and text")  # answered Monday: a streak of 1
    clock.set(datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    assert await daily.run_reminders() == 0  # answered today: no nudge
    clock.set(datetime(2026, 3, 3, 20, 0, tzinfo=UTC))
    assert await daily.run_reminders() == 1
    assert recorder.to("u1")[-1].keys == ("remind.nudge",)
    assert await daily.run_reminders() == 0  # once a day
    assert keys(await harness.say("/remind off")) == ["remind.off"]


async def test_apscheduler_is_armed_for_the_next_due_time(
    harness: Harness, studybot: StudyBot, recorder: Recorder, clock: FakeClock
) -> None:
    from bot.scheduling.scheduler import NEXT_JOB, Scheduler

    clock.set(datetime(2030, 1, 7, 9, 0, tzinfo=UTC))  # ahead of the wall clock: the job waits for it

    async def post(_: object) -> SendResult:
        return Delivered()

    wakeup = studybot.services.wakeup
    scheduler = Scheduler(studybot, daily_service(studybot, {"test": recorder}), post, clock, wakeup)
    await scheduler.start()
    try:
        assert scheduler.aps.get_job(NEXT_JOB) is None
        await harness.say("/daily 23:45 Asia/Tokyo")  # the subscription change re-arms the scheduler
        import asyncio

        for _ in range(100):
            if scheduler.aps.get_job(NEXT_JOB) is not None:
                break
            await asyncio.sleep(0.01)
        job = scheduler.aps.get_job(NEXT_JOB)
        assert job is not None
        async with studybot.store.transaction() as tx:
            sub = await tx.subscriptions.for_chat(1)
        assert sub is not None and job.next_run_time == sub.next_due_at
        assert job.next_run_time.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo")).strftime("%H:%M") == "23:45"
    finally:
        await scheduler.stop()


async def test_a_claim_taken_over_while_it_waited_is_not_sent_twice(
    harness: Harness, clock: FakeClock, studybot: StudyBot
) -> None:
    import asyncio

    from bot.core.daily.service import RunReport

    await harness.say("/daily 11:00 UTC")
    clock.set(datetime(2026, 3, 2, 11, 0, tzinfo=UTC))
    slow_messenger, other_messenger = Recorder(), Recorder()
    slow = daily_service(studybot, {"test": slow_messenger}, worker="slow", lease=timedelta(seconds=30))
    work = await slow._claim(RunReport())  # claimed, then stuck behind a long queue
    clock.advance(seconds=31)
    other = daily_service(studybot, {"test": other_messenger}, worker="other", lease=timedelta(seconds=30))
    assert (await other.run_due()).sent == 1  # the lease ran out: another process sent it
    queue: asyncio.Queue = asyncio.Queue()  # type: ignore[type-arg]
    await queue.put(work)
    await queue.put(None)
    await slow._send_stream(queue, RunReport())
    assert slow_messenger.sent == [] and len(other_messenger.sent) == 1
