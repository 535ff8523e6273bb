"""Delivering the question of the day, exactly once per subscription and local date.

The cycle, driven by the scheduler (or a test) as a function of "now":
1. Claim: in one transaction, take a batch of due subscriptions (PostgreSQL: SKIP LOCKED, so
   several processes share the fan-out), pick each one's question, write a `claimed` ledger
   row per (subscription, local date), open the group round or private question, and move
   the subscription's next due time on. Nothing is sent yet.
2. Send each claimed delivery through its platform's Messenger, many at once; the adapters
   pace themselves to the platform's limits and retry after 429s.
3. Confirm: every accepted send is marked `sent` in the ledger within `confirm_every`
   seconds; a chat that is gone or will not take messages has its delivery marked `failed`
   and its subscription stopped (gone) or paused (blocked, kicked, no permission); a send the
   platform did not accept yet (5xx, network, timeout) stays claimed and is postponed: tried
   again with back-off, an uncertain one soon and with the same dedup key (retrying.py), and
   given up for the day (`abandoned`) after the policy's last try.
A process that dies leaves `claimed` rows; once their lease runs out another run (any process)
sends them, if it is still the same local day there, and otherwise marks them `missed`. Before
resending anything, an answer to the question it asked counts as proof it arrived (`_arrived`).

The one window no ledger closes: a crash after the platform accepted a message and before its
confirmation was committed sends that message again after the restart (at-least-once for the
few messages in flight at that instant). It is kept short by confirming in small batches.

Missed deliveries (the bot was down at the due time) are sent late, once, if it is still the
same local day for the subscriber; a day that has passed entirely is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.schema import Question
from bot.core.actions import Ask
from bot.core.chat_status import settle
from bot.core.clock import Clock
from bot.core.context import Ctx, Services
from bot.core.daily.retrying import RetryPolicy
from bot.core.daily.schedule import When, next_occurrence, occurrence_on
from bot.core.events import ChatKind, ChatRef, Incoming, Reply, UserRef
from bot.core.features import rounds
from bot.core.features.quiz import question_reply
from bot.core.modes import Mode
from bot.core.ports.daily import Delivery, DeliveryKey, NextDue, Postponed, Subscription
from bot.core.ports.messaging import Messenger
from bot.core.ports.people import Chat, Learner
from bot.core.ports.rounds import NewRound
from bot.core.ports.sessions import SessionStart
from bot.core.ports.store import Store, Tx
from bot.core.sending import Delivered, Retry, Uncertain, delivered
from bot.core.streaks import streaks

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def when_of(sub: Subscription) -> When:
    return When(sub.hour, sub.minute, sub.tz, sub.days)


def local_today(sub: Subscription, now: datetime) -> date:
    return now.astimezone(ZoneInfo(sub.tz)).date()


def pick_daily(sub: Subscription, day: date, candidates: Sequence[Question], used: set[str]) -> Question | None:
    """Deterministic for (subscription, date): never a question this chat had, until all are used.

    `candidates` must be sorted by id (the order the pick is made in).
    """
    fresh = [q for q in candidates if q.id not in used] if used else candidates
    if not fresh:
        fresh = candidates
    if not fresh:
        return None
    digest = hashlib.sha256(f"{sub.chat.key()}|{day.isoformat()}".encode()).digest()
    return fresh[int.from_bytes(digest[:8], "big") % len(fresh)]


@dataclass
class RunReport:
    claimed: int = 0
    reclaimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0  # not accepted yet (5xx, timeouts, network): postponed, or given up
    reconciled: int = 0  # an earlier try's answer was lost, but someone answered its question: sent
    abandoned: int = 0  # of those, given up for the day (the retry policy's last try)
    missed: int = 0
    errors: int = 0
    skipped_days: int = 0


@dataclass
class _Confirmations:
    sent: list[DeliveryKey] = field(default_factory=list)
    failed: list[DeliveryKey] = field(default_factory=list)
    postponed: list[Postponed] = field(default_factory=list)
    abandoned: list[Postponed] = field(default_factory=list)  # given up; `retry_at` unused

    def take(self) -> _Confirmations:
        """Move everything gathered so far out (put back with `restore` if it could not be written)."""
        taken = _Confirmations(self.sent[:], self.failed[:], self.postponed[:], self.abandoned[:])
        self.sent.clear()
        self.failed.clear()
        self.postponed.clear()
        self.abandoned.clear()
        return taken

    def restore(self, taken: _Confirmations) -> None:
        self.sent.extend(taken.sent)
        self.failed.extend(taken.failed)
        self.postponed.extend(taken.postponed)
        self.abandoned.extend(taken.abandoned)

    def keys(self) -> list[DeliveryKey]:
        return [*self.sent, *self.failed, *(p.key for p in self.postponed), *(p.key for p in self.abandoned)]


class DailyService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        services: Services,
        messengers: Mapping[str, Messenger],
        worker: str | None = None,
        batch: int = 500,
        concurrency: int = 200,
        confirm_every: float = 0.1,
        lease: timedelta = LEASE,
        retries: RetryPolicy | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.services = services
        self.messengers = dict(messengers)
        self.worker = worker or default_worker()
        self.batch = batch
        self.concurrency = concurrency
        self.confirm_every = confirm_every
        self.lease = lease
        self.retries = retries or RetryPolicy()
        self._pools: dict[str | None, list[Question]] = {}
        # Deliveries this process claimed and has not settled yet: its own reclaim pass must not
        # take them back while they wait for their send or their confirmation.
        self._mine: set[DeliveryKey] = set()

    def stop_platform(self, platform: str) -> None:
        """That platform's adapter stopped for good (its token was rejected): claim nothing more for
        it here; what is claimed stays in the ledger for a process that runs it."""
        self.messengers.pop(platform, None)

    # -- the cycle ------------------------------------------------------------------------------

    async def run_due(self) -> RunReport:
        """Claim, send and confirm everything due now, including claims whose lease ran out.

        Claiming runs one batch ahead of sending, so the platform's rate, not the database,
        sets the pace. Claims wait at most two batches before their send: the lease must be
        longer than that (500 messages at Telegram's 30/s take 17 s; the lease is 120 s).
        """
        report = RunReport()
        batches: asyncio.Queue[list[tuple[Delivery, Reply]] | None] = asyncio.Queue(maxsize=1)

        async def produce() -> None:
            try:
                while work := await self._reclaim(report) + await self._claim(report):
                    await batches.put(work)
            finally:
                await batches.put(None)

        producer = asyncio.create_task(produce())
        try:
            await self._send_stream(batches, report)
        finally:
            await producer  # re-raises a claim failure after what was claimed is sent
        return report

    async def _claim(self, report: RunReport) -> list[tuple[Delivery, Reply]]:
        now = self.clock.now()
        async with self.store.transaction() as tx:
            due = await tx.subscriptions.due(now, self.batch, list(self.messengers))
            if not due:
                return []
            planned: list[tuple[Subscription, date]] = []
            advances: list[NextDue] = []
            for sub in due:
                today = local_today(sub, now)
                day: date | None = local_today(sub, sub.next_due_at)
                if day != today:
                    # Down past the end of that local day: skip it; today's may still be owed (late).
                    report.skipped_days += 1
                    todays = occurrence_on(when_of(sub), today)
                    day = today if todays is not None and todays <= now else None
                advances.append(NextDue(sub.id, next_occurrence(when_of(sub), now)[0]))
                if day is not None:
                    planned.append((sub, day))
            await tx.batch.advance_subscriptions(advances)
            existing = await tx.deliveries.existing([DeliveryKey(s.id, d) for s, d in planned])
            # re-subscribed later the same day: today's question was delivered already
            planned = [(s, d) for s, d in planned if (s.id, d) not in existing]
            out = await self._open(tx, planned, now)
            await tx.deliveries.claim_many([d for d, _ in out], self.worker, now)
        self._mine.update(d.key for d, _ in out)
        report.claimed += len(out)
        return out

    async def _open(
        self, tx: Tx, planned: list[tuple[Subscription, date]], now: datetime
    ) -> list[tuple[Delivery, Reply]]:
        """Pick each delivery's question and open its round or private question, set-at-a-time."""
        used = await tx.subscriptions.used_questions([s.id for s, _ in planned])
        private_ids = [s.learner_id for s, _ in planned if s.chat_kind is not ChatKind.GROUP and s.learner_id]
        learners = await tx.batch.learners(private_ids)
        due_cards = await tx.batch.due_cards(private_ids, now)
        picks: list[tuple[Subscription, date, Question, Mode]] = []
        for sub, day in planned:
            if sub.chat_kind is not ChatKind.GROUP and sub.learner_id not in learners:
                continue
            # A private subscriber's due review comes first; otherwise the day's pick.
            review = next(
                (
                    self.services.bank.by_id[qid]
                    for qid in due_cards.get(sub.learner_id or 0, ())
                    if qid in self.services.bank.by_id and self.services.bank.by_id[qid].answered
                ),
                None,
            )
            q = review or pick_daily(sub, day, self._candidates(sub), used.get(sub.id, set()))
            if q is not None:
                picks.append((sub, day, q, Mode.REVIEW if review else Mode.QUIZ))
        rounds_opened = await tx.batch.open_rounds(
            [
                NewRound(s.chat_id, q.id, Mode.QUIZ, self._close_time(s, now))
                for s, _, q, _ in picks
                if s.chat_kind is ChatKind.GROUP
            ],
            now,
        )
        sessions_opened = await tx.batch.open_sessions(
            [
                SessionStart(s.chat_id, s.learner_id, q.id, mode)
                for s, _, q, mode in picks
                if s.chat_kind is not ChatKind.GROUP and s.learner_id is not None
            ],
            now,
        )
        out: list[tuple[Delivery, Reply]] = []
        for sub, day, q, _ in picks:
            rnd = rounds_opened.get(sub.chat_id)
            ctx = self._ctx(tx, sub, learners.get(sub.learner_id or 0), now)
            if rnd is not None:
                reply = rounds.round_question(ctx, rnd, q)
            else:
                reply = question_reply(ctx, q, sessions_opened[sub.chat_id])
            delivery = Delivery(sub, day, q.id, 1, rnd.id if rnd else None)
            out.append((delivery, self._daily(ctx, reply, delivery)))
        return out

    async def _reclaim(self, report: RunReport) -> list[tuple[Delivery, Reply]]:
        now = self.clock.now()
        cutoff = now - self.lease
        out: list[tuple[Delivery, Reply]] = []
        platforms = list(self.messengers)
        async with self.store.transaction() as tx:
            # Claims a dead process left, and postponed ones whose next try has come.
            stale = await tx.deliveries.stale_claims(cutoff, self.batch, platforms)
            stale += await tx.deliveries.due_retries(now, self.batch, platforms)
            missed: list[DeliveryKey] = []
            arrived: list[DeliveryKey] = []
            lost: list[DeliveryKey] = []
            for delivery in stale:
                if delivery.key in self._mine:
                    continue
                if delivery.local_date != local_today(delivery.subscription, now):
                    missed.append(delivery.key)
                    continue
                if await self._arrived(tx, delivery):
                    arrived.append(delivery.key)
                    continue
                if not await tx.deliveries.reclaim(delivery, self.worker, now, cutoff):
                    continue
                delivery = replace(delivery, attempts=delivery.attempts + 1)  # as reclaim counted it
                reply = await self._reopen(tx, delivery, now)
                if reply is None:
                    # Its question left the bank, or its learner or round is gone: no try can
                    # ever send it, so settle it now rather than let it cycle through leases.
                    lost.append(delivery.key)
                else:
                    out.append((delivery, reply))
                    self._mine.add(delivery.key)
            if lost:
                await tx.deliveries.fail(lost, "failed")
                report.failed += len(lost)
            if missed:
                await tx.deliveries.fail(missed, "missed")
                report.missed += len(missed)
            if arrived:
                await tx.deliveries.confirm(arrived, now)
                report.reconciled += len(arrived)
        report.reclaimed += len(out)
        return out

    @staticmethod
    async def _arrived(tx: Tx, delivery: Delivery) -> bool:
        """Evidence that an earlier try reached the chat although its answer never came back (a
        timeout, a crash before the confirmation): someone answered the question it asked — its
        round, or the subscriber, that question, since it was due. Then it is not sent again."""
        if delivery.round_id is not None:
            return bool(await tx.rounds.answers(delivery.round_id))
        sub = delivery.subscription
        if sub.learner_id is None:
            return False
        last = await tx.answers.last(sub.learner_id)
        due = occurrence_on(when_of(sub), delivery.local_date)
        return (
            last is not None
            and due is not None
            and last.question_id == delivery.question_id
            and last.answered_at >= due
        )

    async def _reopen(self, tx: Tx, delivery: Delivery, now: datetime) -> Reply | None:
        """The message of a claim a dead process left unsent: the same question, the same round."""
        sub = delivery.subscription
        q = self.services.bank.by_id.get(delivery.question_id)
        if q is None:
            return None
        if sub.chat_kind is ChatKind.GROUP:
            ctx = self._ctx(tx, sub, None, now)
            rnd = await tx.rounds.get(delivery.round_id) if delivery.round_id else None
            if rnd is None:
                return None
            return self._daily(ctx, rounds.round_question(ctx, rnd, q), delivery)
        learner = await tx.learners.get(sub.learner_id) if sub.learner_id else None
        if learner is None:
            return None
        ctx = self._ctx(tx, sub, learner, now)
        session = await tx.sessions.open(SessionStart(sub.chat_id, learner.id, q.id, Mode.QUIZ), now)
        return self._daily(ctx, question_reply(ctx, q, session), delivery)

    def _ctx(self, tx: Tx, sub: Subscription, learner: Learner | None, now: datetime) -> Ctx:
        """A context for a message nobody asked for just now: the chat's (or subscriber's) language."""
        chat = Chat(sub.chat_id, sub.chat, sub.chat_kind, sub.chat_lang, sub.chat_tz)
        if learner is None:
            lang = sub.chat_lang or "en"
            learner = Learner(id=0, name="", lang=lang, tz=sub.chat_tz or sub.tz)
        else:
            lang = (sub.chat_lang if sub.chat_kind is ChatKind.GROUP else None) or learner.lang
        inc = Incoming(sub.chat, UserRef("system", "0"), chat_kind=sub.chat_kind)
        return Ctx(inc, tx, learner, chat, lang, now, self.services)

    def _candidates(self, sub: Subscription) -> list[Question]:
        """Graded questions (they need a model answer) of the subscription's topic, sorted by id."""
        found = self._pools.get(sub.topic)
        if found is None:
            bank = self.services.bank
            pool = bank.by_topic.get(sub.topic, ()) if sub.topic else bank.questions
            found = self._pools[sub.topic] = sorted((q for q in pool if q.answered), key=lambda q: q.id)
        return found

    def _close_time(self, sub: Subscription, now: datetime) -> datetime:
        """A group's daily round closes an hour before the next one is posted."""
        following, _ = next_occurrence(when_of(sub), now + timedelta(minutes=1))
        return max(now + timedelta(minutes=5), following - timedelta(hours=1))

    @staticmethod
    def _daily(ctx: Ctx, reply: Reply, delivery: Delivery) -> Reply:
        head = ctx.part("daily.title", "title")
        # The same for every try of this delivery, in any process: a platform that can (Discord's
        # nonce) drops a resend of a message it already has.
        dedup = f"qd{delivery.subscription.id}.{delivery.local_date:%Y%m%d}"
        return replace(reply, parts=(head, *reply.parts), mention=delivery.subscription.role, dedup=dedup)

    # -- sending --------------------------------------------------------------------------------

    async def _send_stream(
        self, batches: asyncio.Queue[list[tuple[Delivery, Reply]] | None], report: RunReport
    ) -> None:
        confirmations = _Confirmations()
        gate = asyncio.Semaphore(self.concurrency)
        stop = asyncio.Event()
        flusher = asyncio.create_task(self._flush_forever(confirmations, stop))
        in_flight: set[asyncio.Task[None]] = set()

        async def one(delivery: Delivery, reply: Reply) -> None:
            try:
                key = delivery.key
                messenger = self.messengers.get(delivery.subscription.chat.platform)
                if messenger is None:
                    self._mine.discard(key)
                    return  # that platform is not running in this process: the claim expires, another sends
                try:
                    result = await messenger.send(delivery.subscription.chat, reply)
                except Exception as exc:
                    report.errors += 1
                    log.exception("sending the question of the day to %s failed", delivery.subscription.chat.key())
                    result = Retry(f"error: {type(exc).__name__}")
                if isinstance(result, Delivered):
                    confirmations.sent.append(key)
                    report.sent += 1
                elif isinstance(result, Retry | Uncertain):
                    # Stays claimed and is tried again later (an uncertain one may then arrive twice
                    # where the platform cannot drop the resend: at-least-once, never silently lost).
                    report.retried += 1
                    why = f"{'uncertain' if isinstance(result, Uncertain) else 'retry'}: {result.reason}"
                    now = self.clock.now()
                    at = self.retries.next_try(key, delivery.attempts, result, now)
                    if at is None:
                        report.abandoned += 1
                        log.warning(
                            "question of the day to %s given up after %d tries (%s)", key, delivery.attempts, why
                        )
                        confirmations.abandoned.append(Postponed(key, now, why))
                    else:
                        confirmations.postponed.append(Postponed(key, at, why))
                else:
                    confirmations.failed.append(key)
                    report.failed += 1
                    await settle(self.store, delivery.subscription.chat, result)
            finally:
                gate.release()

        try:
            while (work := await batches.get()) is not None:
                # A batch may have waited behind the previous one: restart its lease now, and drop what
                # another process took over meanwhile (it sends those), so nobody gets it twice.
                work = await self._still_mine(work)
                for delivery, reply in work:
                    await gate.acquire()  # back-pressure: at most `concurrency` sends at once
                    task = asyncio.create_task(one(delivery, reply))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
            if in_flight:
                await asyncio.gather(*in_flight)
        finally:
            # Signalled, never cancelled: a cancellation could land inside its transaction.
            stop.set()
            await flusher
            await self._flush(confirmations)

    async def _still_mine(self, work: list[tuple[Delivery, Reply]]) -> list[tuple[Delivery, Reply]]:
        keys = [d.key for d, _ in work]
        async with self.store.transaction() as tx:
            held = await tx.deliveries.renew(keys, self.worker, self.clock.now())
        lost = set(keys) - held
        if lost:
            log.warning("%d claim(s) were taken over by another process before we sent them", len(lost))
            self._mine.difference_update(lost)
        return [(d, r) for d, r in work if d.key in held]

    async def _flush_forever(self, confirmations: _Confirmations, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.confirm_every)
            try:
                await self._flush(confirmations)
            except Exception:  # the next round tries again: a lost confirmation would mean a resend
                log.exception("confirming deliveries failed; retrying")

    async def _flush(self, confirmations: _Confirmations) -> None:
        done = confirmations.take()
        keys = done.keys()
        if not keys:
            return
        try:
            async with self.store.transaction() as tx:
                if done.sent:
                    await tx.deliveries.confirm(done.sent, self.clock.now())
                if done.failed:
                    await tx.deliveries.fail(done.failed, "failed")
                if done.postponed or done.abandoned:
                    await tx.deliveries.postpone([*done.postponed, *done.abandoned])  # abandoned: for its reason
                if done.abandoned:
                    await tx.deliveries.fail([p.key for p in done.abandoned], "abandoned")
        except BaseException:
            confirmations.restore(done)
            raise
        self._mine.difference_update(keys)

    async def next_wakeup(self) -> datetime | None:
        """When the next subscription or reminder is due (the scheduler sleeps until then)."""
        async with self.store.transaction() as tx:
            platforms = list(self.messengers)
            times = [await tx.subscriptions.next_due_at(platforms), await tx.reminders.next_due_at(platforms)]
            oldest = await tx.deliveries.oldest_claim(platforms)
            if oldest is not None:  # a claim a dead process left: wake when its lease runs out
                times.append(oldest + self.lease + timedelta(seconds=1))
            times.append(await tx.deliveries.next_retry(platforms))
        return min((t for t in times if t is not None), default=None)

    async def run_reminders(self) -> int:
        """Nudge learners with a streak who have not answered today; each reminder at most once a day."""
        now = self.clock.now()
        outgoing: list[tuple[ChatRef, Reply]] = []
        async with self.store.transaction() as tx:
            for reminder in await tx.reminders.due(now, self.batch, list(self.messengers)):
                learner = await tx.learners.get(reminder.learner_id)
                if learner is None:
                    continue
                await tx.reminders.advance(
                    learner.id, next_occurrence(When(reminder.hour, reminder.minute, learner.tz), now)[0]
                )
                today = now.astimezone(ZoneInfo(learner.tz)).date()
                days = await tx.answers.active_days(learner.id)
                current = streaks(days, today).current
                if current == 0 or today in days:
                    continue
                chat = await tx.chats.find(reminder.chat)
                if chat is None:
                    continue
                ctx = Ctx(
                    Incoming(chat.ref, UserRef("system", "0")), tx, learner, chat, learner.lang, now, self.services
                )
                outgoing.append(
                    (
                        chat.ref,
                        ctx.reply(
                            (ctx.part("remind.nudge", n=current),),
                            buttons=((ctx.button("btn.next", Ask(Mode.QUIZ), "/quiz"),),),
                        ),
                    )
                )
        sent = 0
        for chat_ref, reply in outgoing:
            messenger = self.messengers.get(chat_ref.platform)
            if messenger is None:
                continue
            result = await messenger.send(chat_ref, reply)
            await settle(self.store, chat_ref, result)
            sent += delivered(result)
        return sent
