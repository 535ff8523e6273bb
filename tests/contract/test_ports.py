"""One contract for every implementation of the storage ports: in memory, SQLite and PostgreSQL.

Feature tests run on the in-memory fakes (bot/core/fakes); these cases are what lets them: each
runs against all three stores and asserts what the core relies on, cascades and races included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.events import ChatKind, ChatRef, UserRef
from bot.core.fakes import MemoryStore
from bot.core.modes import Mode
from bot.core.ports.answers import NewAnswer, NewAppeal
from bot.core.ports.cards import CardState
from bot.core.ports.daily import DailyPlan, Delivery, DeliveryKey, LedgerEntry, NextDue, Postponed
from bot.core.ports.rounds import NewRound, RoundAnswer
from bot.core.ports.sessions import SessionStart
from bot.core.ports.store import Store, Tx
from bot.core.purge import PurgeReport, Retention, purge
from bot.storage.store import open_store, sqlite_url
from tests.postgres.db import fresh_schema, require_postgres

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADA, BOB = UserRef("telegram", "1"), UserRef("discord", "2")
PRIVATE, GROUP = ChatRef("telegram", "1"), ChatRef("telegram", "-5")


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "memory":
        yield MemoryStore()
        return
    if request.param == "sqlite":
        sql = await open_store(sqlite_url(tmp_path / "contract.db"))
        yield sql
        await sql.close()
        return
    require_postgres()
    async with fresh_schema() as url:
        sql = await open_store(url)
        yield sql
        await sql.close()


def answer(learner: int, chat: int, qid: str, score: float, at: datetime, topic: str = "rag") -> NewAnswer:
    return NewAnswer(learner, chat, qid, topic, Mode.QUIZ, score, "partly", 0, f"about {qid}", at, at.date())


def card(qid: str, due: datetime, reps: int = 1) -> CardState:
    return CardState(qid, 2, None, 3.0, 5.0, due, due - timedelta(days=1), reps, 0, False)


async def people(tx: Tx) -> tuple[int, int, int, int]:
    """Ada and Bob, Ada's private chat and a group: their ids."""
    ada = await tx.learners.resolve(ADA, "Ada", "en", T0)
    bob = await tx.learners.resolve(BOB, "Bob", None, T0)
    private = await tx.chats.resolve(PRIVATE, ChatKind.PRIVATE, T0)
    group = await tx.chats.resolve(GROUP, ChatKind.GROUP, T0)
    return ada.id, bob.id, private.id, group.id


async def test_learners_follow_the_platform_until_pinned(store: Store) -> None:
    async with store.transaction() as tx:
        ada = await tx.learners.resolve(ADA, "Ada", "zh", T0)
        assert (ada.name, ada.lang, ada.tz, ada.lang_set) == ("Ada", "zh", "UTC", False)
        again = await tx.learners.resolve(ADA, "Ada L.", "en", T0)
        assert again.id == ada.id and (again.name, again.lang) == ("Ada L.", "en")
        await tx.learners.set_lang(ada.id, "zh")
        await tx.learners.set_tz(ada.id, "Asia/Shanghai")
        pinned = await tx.learners.resolve(ADA, "", "en", T0)
        assert (pinned.name, pinned.lang, pinned.tz, pinned.lang_set) == ("Ada L.", "zh", "Asia/Shanghai", True)
        assert await tx.learners.get(ada.id) == pinned
        assert await tx.learners.get(ada.id + 1000) is None
        assert await tx.learners.identities(ada.id) == [ADA]
        long = await tx.learners.resolve(BOB, "x" * 500, None, T0)
        assert len(long.name) == 128


async def test_chats_resolve_deactivate_and_move(store: Store) -> None:
    async with store.transaction() as tx:
        chat = await tx.chats.resolve(GROUP, ChatKind.GROUP, T0)
        assert await tx.chats.resolve(GROUP, ChatKind.GROUP, T0) == chat
        assert await tx.chats.get(chat.id) == chat and await tx.chats.find(GROUP) == chat
        assert await tx.chats.find(ChatRef("telegram", "404")) is None
        assert await tx.chats.set_active(GROUP, False) and not await tx.chats.set_active(ChatRef("x", "y"), False)
        await tx.chats.set_lang(chat.id, "zh")
        await tx.chats.set_tz(chat.id, "Europe/Berlin")
        moved = ChatRef("telegram", "-1005")
        assert await tx.chats.move(GROUP, moved)
        found = await tx.chats.find(moved)
        assert found is not None and (found.id, found.lang, found.tz) == (chat.id, "zh", "Europe/Berlin")
        assert await tx.chats.find(GROUP) is None
        other = await tx.chats.resolve(PRIVATE, ChatKind.PRIVATE, T0)
        assert not await tx.chats.move(moved, PRIVATE)  # already known: merged into it, the old row goes
        merged = await tx.chats.find(PRIVATE)
        assert await tx.chats.find(moved) is None and merged is not None and merged.id == other.id
        assert (merged.lang, merged.tz) == ("zh", "Europe/Berlin")  # what the new chat had not set


async def test_a_migration_whose_new_id_came_first_keeps_everything(store: Store) -> None:
    async with store.transaction() as tx:
        ada, _, _, old = await people(tx)
        await tx.chats.set_lang(old, "zh")
        rnd = await tx.rounds.open(NewRound(old, "q1", Mode.QUIZ, T0 + timedelta(minutes=15), (), ada), T0)
        session = await tx.sessions.open(SessionStart(old, ada, "q2", Mode.QUIZ), T0)
        sub = await tx.subscriptions.save(plan(old, None, T0), T0)
        await tx.deliveries.claim_many([Delivery(sub, date(2026, 3, 2), "q3")], "w", T0)
        await tx.deliveries.confirm([DeliveryKey(sub.id, date(2026, 3, 2))], T0)
        supergroup = ChatRef("telegram", "-100777")
        new = await tx.chats.resolve(supergroup, ChatKind.GROUP, T0)  # a message from the new id, first
        assert not await tx.chats.move(GROUP, supergroup)
        assert await tx.chats.find(GROUP) is None
        merged = await tx.chats.find(supergroup)
        assert merged is not None and merged.id == new.id and merged.lang == "zh"
        current = await tx.rounds.current(new.id)
        assert current is not None and current.id == rnd.id
        kept = await tx.sessions.get(new.id, ada)
        assert kept is not None and kept.id == session.id
        moved = await tx.subscriptions.for_chat(new.id)
        assert moved is not None and moved.id == sub.id
        assert await tx.subscriptions.used_questions([sub.id]) == {sub.id: {"q3"}}  # its ledger too


async def test_sessions_one_open_per_learner_and_chat(store: Store) -> None:
    async with store.transaction() as tx:
        ada, bob, private, group = await people(tx)
        first = await tx.sessions.open(SessionStart(private, ada, "q1", Mode.QUIZ), T0)
        assert await tx.sessions.get(private, ada) == first and first.hints == 0 and first.options == ()
        second = await tx.sessions.open(SessionStart(private, ada, "q2", Mode.MC, (2, 0, 1, 3)), T0 + timedelta(1))
        assert await tx.sessions.get(private, ada) == second and second.options == (2, 0, 1, 3)
        assert await tx.sessions.get(private, bob) is None and await tx.sessions.get(group, ada) is None
        assert await tx.sessions.add_hint(second.id) == 1 and await tx.sessions.add_hint(second.id) == 2
        found = await tx.sessions.get(private, ada)
        assert found is not None and found.hints == 2 and found.mode is Mode.MC
        assert await tx.sessions.close(second.id) and not await tx.sessions.close(second.id)
        assert await tx.sessions.get(private, ada) is None
        assert await tx.sessions.asked_at(ada) == {"q1": T0, "q2": T0 + timedelta(1)}


async def test_answers_and_what_is_read_from_them(store: Store) -> None:
    async with store.transaction() as tx:
        ada, bob, private, _ = await people(tx)
        days = [T0 + timedelta(days=i) for i in range(3)]
        ids = [
            await tx.answers.add(answer(ada, private, "q1", 0.2, days[0])),
            await tx.answers.add(answer(ada, private, "q1", 0.9, days[1])),
            await tx.answers.add(answer(ada, private, "q2", 0.5, days[1], topic="peft")),
            await tx.answers.add(answer(ada, private, "q1", 0.4, days[2])),
            await tx.answers.add(answer(bob, private, "q3", 1.0, days[2])),
        ]
        assert len(set(ids)) == 5
        history = {h.question_id: h for h in await tx.answers.history(ada)}
        assert set(history) == {"q1", "q2"}
        q1 = history["q1"]
        assert (q1.attempts, q1.last_at, q1.last_score, q1.best_score, q1.topic) == (3, days[2], 0.4, 0.9, "rag")
        accuracy = {a.topic: (a.attempts, round(a.mean_score, 6)) for a in await tx.answers.topic_accuracy(ada)}
        assert accuracy == {"rag": (3, 0.5), "peft": (1, 0.5)}
        last = await tx.answers.last(ada)
        assert last is not None and (last.id, last.question_id, last.score, last.mode) == (ids[3], "q1", 0.4, Mode.QUIZ)
        assert await tx.answers.last(ada + bob + 100) is None
        daily = [(d.day, d.answers, round(d.mean_score, 6)) for d in await tx.answers.daily(ada, days[1].date())]
        assert daily == [(days[1].date(), 2, 0.7), (days[2].date(), 1, 0.4)]
        assert await tx.answers.active_days(ada) == [d.date() for d in days]
        huge = NewAnswer(bob, private, "q9", "rag", Mode.MC, 0.0, "incorrect", 0, "y" * 9000, T0, T0.date())
        await tx.answers.add(huge)
        stored = await tx.answers.last(bob)
        assert stored is not None and len(stored.text) == 8000


async def test_cards(store: Store) -> None:
    async with store.transaction() as tx:
        ada, bob, _, _ = await people(tx)
        for qid, days in (("b", 1), ("a", 1), ("c", -2), ("d", 5)):
            await tx.cards.put(ada, card(qid, T0 + timedelta(days=days)))
        await tx.cards.put(ada, card("d", T0 + timedelta(days=9), reps=2))  # replaced, not added
        await tx.cards.put(bob, card("a", T0))
        assert [c.question_id for c in await tx.cards.due(ada, T0 + timedelta(days=2))] == ["c", "a", "b"]
        assert [c.question_id for c in await tx.cards.due(ada, T0 + timedelta(days=2), limit=2)] == ["c", "a"]
        assert sorted(c.question_id for c in await tx.cards.all(ada)) == ["a", "b", "c", "d"]
        got = await tx.cards.get(ada, "d")
        assert got is not None and got.reps == 2 and got.due == T0 + timedelta(days=9)
        assert await tx.cards.get(ada, "zz") is None
        assert await tx.cards.next_due(ada) == T0 - timedelta(days=2) and await tx.cards.next_due(bob + ada) is None


async def test_rounds_answers_closing_and_the_leaderboard(store: Store) -> None:
    async with store.transaction() as tx:
        ada, bob, _, group = await people(tx)
        first = await tx.rounds.open(NewRound(group, "q1", Mode.QUIZ, T0 + timedelta(minutes=15), (), ada), T0)
        assert (first.started_by, first.closed_at, first.mode) == (ada, None, Mode.QUIZ)
        assert await tx.rounds.current(group) == first and await tx.rounds.get(first.id) == first
        assert not await tx.rounds.answer(first.id, RoundAnswer(ada, "Ada", 0.5, "partly", "a", T0))
        assert await tx.rounds.answer(first.id, RoundAnswer(ada, "Ada", 0.8, "correct", "b", T0 + timedelta(1)))
        assert not await tx.rounds.answer(first.id, RoundAnswer(bob, "Bob", 0.8, "correct", "c", T0))
        assert [(a.learner_id, a.score, a.text) for a in await tx.rounds.answers(first.id)] == [
            (bob, 0.8, "c"),  # equal scores: who answered first
            (ada, 0.8, "b"),
        ]
        assert await tx.rounds.due_to_close(T0 + timedelta(minutes=10)) == []
        assert [r.id for r in await tx.rounds.due_to_close(T0 + timedelta(minutes=15))] == [first.id]
        assert await tx.rounds.close(first.id, T0 + timedelta(minutes=15))
        assert not await tx.rounds.close(first.id, T0 + timedelta(minutes=16))
        assert await tx.rounds.current(group) is None
        week = T0 + timedelta(days=7)
        later = await tx.rounds.open(NewRound(group, "q2", Mode.MC, week + timedelta(minutes=5), (1, 0, 2, 3)), week)
        assert later.options == (1, 0, 2, 3) and later.started_by is None
        await tx.rounds.answer(later.id, RoundAnswer(ada, "Ada", 1.0, "correct", "1", week))
        assert await tx.rounds.used_questions(group) == {"q1", "q2"}
        board = [(r.learner_id, r.name, round(r.points, 6), r.rounds) for r in await tx.rounds.leaderboard(group, None)]
        assert board == [(ada, "Ada", 1.8, 2), (bob, "Bob", 0.8, 1)]
        recent = await tx.rounds.leaderboard(group, week)
        assert [(r.learner_id, r.rounds) for r in recent] == [(ada, 1)]
        assert len(await tx.rounds.leaderboard(group, None, limit=1)) == 1


async def test_link_codes_are_used_once_and_expire(store: Store) -> None:
    async with store.transaction() as tx:
        ada, bob, _, _ = await people(tx)
        await tx.links.create("ABCD2345", ada, "telegram", T0 + timedelta(minutes=10))
        await tx.links.create("EXPIRED9", bob, "discord", T0 - timedelta(seconds=1))
        assert await tx.links.owner("ABCD2345") == ada and await tx.links.owner("NOPE") is None
        assert await tx.links.take("EXPIRED9", T0) is None
        assert await tx.links.take("ABCD2345", T0) == (ada, "telegram")
        assert await tx.links.take("ABCD2345", T0) is None


async def test_appeals_and_refs(store: Store) -> None:
    async with store.transaction() as tx:
        ada, _, private, _ = await people(tx)
        answered = await tx.answers.add(answer(ada, private, "q2", 0.3, T0))
        assert not await tx.appeals.exists(answered)
        first = await tx.appeals.add(NewAppeal(ada, "q2", answered, "mine", 0.3, "partly", "unfair"), T0)
        assert await tx.appeals.exists(answered) and not await tx.appeals.exists(answered + 1)
        second = await tx.appeals.add(NewAppeal(ada, "q1", None, "t" * 9000, 0.1, "incorrect", "r" * 3000), T0)
        third = await tx.appeals.add(NewAppeal(ada, "q2", None, "again", 0.2, "partly", ""), T0 + timedelta(1))
        appeals = await tx.appeals.all()
        assert [a.id for a in appeals] == [second, third, first]
        assert len(appeals[0].answer_text) == 8000 and len(appeals[0].reason) == 2000
        await tx.refs.put("tg:poll:1", "old", T0 + timedelta(hours=1))
        await tx.refs.put("tg:poll:1", "new", T0 + timedelta(hours=1))
        assert await tx.refs.get("tg:poll:1", T0) == "new"
        assert await tx.refs.get("tg:poll:1", T0 + timedelta(hours=1)) is None
        assert await tx.refs.get("missing", T0) is None


def plan(chat: int, learner: int | None, due: datetime, topic: str | None = None) -> DailyPlan:
    return DailyPlan(chat, learner, 9, 30, "Europe/Berlin", frozenset({0, 2, 4}), topic, "123", due)


async def test_subscriptions(store: Store) -> None:
    async with store.transaction() as tx:
        ada, _, private, group = await people(tx)
        mine = await tx.subscriptions.save(plan(private, ada, T0), T0)
        assert (mine.chat, mine.chat_kind, mine.learner_id, mine.days, mine.role, mine.active) == (
            PRIVATE,
            ChatKind.PRIVATE,
            ada,
            frozenset({0, 2, 4}),
            "123",
            True,
        )
        changed = await tx.subscriptions.save(plan(private, ada, T0 + timedelta(hours=1), "rag"), T0)
        assert changed.id == mine.id and changed.topic == "rag" and await tx.subscriptions.for_chat(private) == changed
        theirs = await tx.subscriptions.save(plan(group, None, T0 + timedelta(hours=2)), T0)
        assert await tx.subscriptions.next_due_at(["telegram"]) == T0 + timedelta(hours=1)
        assert await tx.subscriptions.next_due_at(["discord"]) is None
        due = await tx.subscriptions.due(T0 + timedelta(hours=3), 10, ["telegram"])
        assert [s.id for s in due] == [mine.id, theirs.id]
        assert [s.id for s in await tx.subscriptions.due(T0 + timedelta(hours=3), 1, ["telegram"])] == [mine.id]
        await tx.subscriptions.advance(mine.id, T0 + timedelta(days=2))
        assert [s.id for s in await tx.subscriptions.due(T0 + timedelta(hours=3), 10, ["telegram"])] == [theirs.id]
        assert await tx.subscriptions.deactivate(group) and not await tx.subscriptions.deactivate(group)
        assert await tx.subscriptions.due(T0 + timedelta(hours=3), 10, ["telegram"]) == []
        assert await tx.subscriptions.deactivate_chat(PRIVATE) == 1
        again = await tx.subscriptions.save(plan(private, ada, T0), T0)
        assert again.active and again.id == mine.id
        assert await tx.subscriptions.for_chat(private + group + 100) is None


async def test_a_paused_subscription_resumes(store: Store) -> None:
    async with store.transaction() as tx:
        ada, _, private, _ = await people(tx)
        await tx.subscriptions.save(plan(private, ada, T0), T0)
        assert not await tx.subscriptions.resume(private, T0)  # nothing was paused
        assert await tx.subscriptions.pause_chat(PRIVATE, "Forbidden: bot was blocked by the user") == 1
        paused = await tx.subscriptions.for_chat(private)
        assert paused is not None and not paused.active and paused.paused == "Forbidden: bot was blocked by the user"
        assert await tx.subscriptions.due(T0 + timedelta(days=9), 10, ["telegram"]) == []
        assert await tx.subscriptions.pause_chat(PRIVATE, "again") == 0  # only what runs is paused
        assert await tx.subscriptions.resume(private, T0 + timedelta(days=1))
        running = await tx.subscriptions.for_chat(private)
        assert running is not None and running.active and running.paused is None
        assert running.next_due_at == T0 + timedelta(days=1)
        await tx.subscriptions.pause_chat(PRIVATE, "blocked")
        assert await tx.subscriptions.deactivate(private)  # /daily off: stopped, no longer paused
        stopped = await tx.subscriptions.for_chat(private)
        assert stopped is not None and stopped.paused is None and not await tx.subscriptions.resume(private, T0)


async def test_the_delivery_ledger(store: Store) -> None:
    async with store.transaction() as tx:
        ada, _, private, group = await people(tx)
        a = await tx.subscriptions.save(plan(private, ada, T0), T0)
        b = await tx.subscriptions.save(plan(group, None, T0), T0)
        day = date(2026, 3, 2)
        await tx.deliveries.claim_many([Delivery(a, day, "q1", 1), Delivery(b, day, "q2", 1, None)], "w1", T0)
        keys = [DeliveryKey(a.id, day), DeliveryKey(b.id, day), DeliveryKey(a.id, day + timedelta(1))]
        assert await tx.deliveries.existing(keys) == set(keys[:2])
        assert await tx.subscriptions.used_questions([a.id, b.id]) == {a.id: {"q1"}, b.id: {"q2"}}
        assert await tx.deliveries.oldest_claim(["telegram"]) == T0
        assert await tx.deliveries.renew(keys[:2], "w2", T0 + timedelta(seconds=5)) == set()
        assert await tx.deliveries.renew(keys[:1], "w1", T0 + timedelta(seconds=5)) == {keys[0]}
        stale = await tx.deliveries.stale_claims(T0 + timedelta(seconds=3), 10, ["telegram"])
        assert [(d.subscription.id, d.local_date, d.question_id, d.attempts) for d in stale] == [(b.id, day, "q2", 1)]
        assert await tx.deliveries.stale_claims(T0 + timedelta(seconds=3), 10, ["discord"]) == []
        assert await tx.deliveries.reclaim(stale[0], "w3", T0 + timedelta(seconds=6), T0 + timedelta(seconds=3))
        assert not await tx.deliveries.reclaim(stale[0], "w4", T0 + timedelta(seconds=6), T0 + timedelta(seconds=3))
        assert await tx.deliveries.renew(keys[1:2], "w3", T0 + timedelta(seconds=7)) == {keys[1]}
        later = await tx.deliveries.stale_claims(T0 + timedelta(seconds=8), 10, ["telegram"])
        assert [(d.subscription.id, d.attempts) for d in later] == [(a.id, 1), (b.id, 2)]  # oldest claim first
        await tx.deliveries.confirm(keys[:1], T0 + timedelta(seconds=9))
        await tx.deliveries.fail(keys[1:2], "failed")
        assert await tx.deliveries.stale_claims(T0 + timedelta(days=1), 10, ["telegram"]) == []
        assert await tx.deliveries.oldest_claim(["telegram"]) is None


async def test_postponed_deliveries_wait_for_their_time(store: Store) -> None:
    async with store.transaction() as tx:
        ada, _, private, group = await people(tx)
        a = await tx.subscriptions.save(plan(private, ada, T0), T0)
        b = await tx.subscriptions.save(plan(group, None, T0), T0)
        day = date(2026, 3, 2)
        assert await tx.deliveries.latest(a.id) is None
        await tx.deliveries.claim_many([Delivery(a, day, "q1", 1), Delivery(b, day, "q2", 1)], "w1", T0)
        ka, kb = DeliveryKey(a.id, day), DeliveryKey(b.id, day)
        await tx.deliveries.postpone([Postponed(ka, T0 + timedelta(minutes=5), "retry: 502 Bad Gateway")])
        # postponed: no longer a stale claim (its lease no longer applies), due at its own time
        assert [
            d.subscription.id for d in await tx.deliveries.stale_claims(T0 + timedelta(hours=1), 10, ["telegram"])
        ] == [b.id]
        assert await tx.deliveries.oldest_claim(["telegram"]) == T0
        assert await tx.deliveries.next_retry(["telegram"]) == T0 + timedelta(minutes=5)
        assert await tx.deliveries.next_retry(["discord"]) is None
        assert await tx.deliveries.due_retries(T0 + timedelta(minutes=4), 10, ["telegram"]) == []
        [due] = await tx.deliveries.due_retries(T0 + timedelta(minutes=5), 10, ["telegram"])
        assert (due.subscription.id, due.attempts, due.last_error) == (a.id, 1, "retry: 502 Bad Gateway")
        cutoff = T0 - timedelta(minutes=2)  # no lease ran out: only its retry time lets it be taken
        assert not await tx.deliveries.reclaim(due, "w2", T0 + timedelta(minutes=4), cutoff)
        assert await tx.deliveries.reclaim(due, "w2", T0 + timedelta(minutes=5), cutoff)
        assert not await tx.deliveries.reclaim(due, "w3", T0 + timedelta(minutes=5), cutoff)  # once
        assert await tx.deliveries.next_retry(["telegram"]) is None  # claimed again: its lease applies
        await tx.deliveries.postpone([Postponed(ka, T0 + timedelta(minutes=6), "uncertain: timed out")])
        await tx.deliveries.fail([ka], "abandoned")
        assert await tx.deliveries.latest(a.id) == LedgerEntry(day, "abandoned", 2, "uncertain: timed out")
        assert await tx.deliveries.due_retries(T0 + timedelta(days=1), 10, ["telegram"]) == []
        await tx.deliveries.confirm([kb], T0)
        await tx.deliveries.postpone([Postponed(kb, T0, "too late")])  # settled rows stay as they are
        assert await tx.deliveries.latest(b.id) == LedgerEntry(day, "sent", 1, None)


async def test_reminders(store: Store) -> None:
    async with store.transaction() as tx:
        ada, bob, private, group = await people(tx)
        await tx.reminders.save(ada, private, 20, 0, T0 + timedelta(hours=11))
        await tx.reminders.save(bob, group, 21, 30, T0 + timedelta(hours=12))
        await tx.reminders.save(ada, private, 20, 15, T0 + timedelta(hours=10))
        got = await tx.reminders.get(ada)
        assert got is not None and (got.chat, got.hour, got.minute) == (PRIVATE, 20, 15)
        assert await tx.reminders.next_due_at(["telegram"]) == T0 + timedelta(hours=10)
        assert [r.learner_id for r in await tx.reminders.due(T0 + timedelta(hours=12), 10, ["telegram"])] == [ada, bob]
        await tx.reminders.advance(ada, T0 + timedelta(days=1))
        assert [r.learner_id for r in await tx.reminders.due(T0 + timedelta(hours=12), 10, ["telegram"])] == [bob]
        assert await tx.reminders.delete(bob) and not await tx.reminders.delete(bob)
        assert await tx.reminders.get(bob) is None and await tx.reminders.due(T0, 10, ["discord"]) == []


async def test_batch_work(store: Store) -> None:
    async with store.transaction() as tx:
        ada, bob, private, group = await people(tx)
        assert set(await tx.batch.learners([ada, bob, ada + bob + 50])) == {ada, bob}
        await tx.cards.put(ada, card("late", T0 - timedelta(days=3)))
        await tx.cards.put(ada, card("early", T0 - timedelta(days=5)))
        await tx.cards.put(bob, card("later", T0 + timedelta(days=5)))
        assert await tx.batch.due_cards([ada, bob], T0) == {ada: ["early", "late"]}
        await tx.sessions.open(SessionStart(private, ada, "old", Mode.QUIZ), T0)
        opened = await tx.batch.open_sessions([SessionStart(private, ada, "q7", Mode.REVIEW)], T0 + timedelta(1))
        assert set(opened) == {private} and await tx.sessions.get(private, ada) == opened[private]
        assert (await tx.sessions.asked_at(ada))["q7"] == T0 + timedelta(1)
        rounds = await tx.batch.open_rounds([NewRound(group, "q8", Mode.QUIZ, T0 + timedelta(hours=23))], T0)
        assert await tx.rounds.current(group) == rounds[group] and rounds[group].started_by is None
        sub = await tx.subscriptions.save(plan(group, None, T0), T0)
        await tx.batch.advance_subscriptions([NextDue(sub.id, T0 + timedelta(days=2))])
        found = await tx.subscriptions.for_chat(group)
        assert found is not None and found.next_due_at == T0 + timedelta(days=2)


async def test_merge_detach_and_forget(store: Store) -> None:
    async with store.transaction() as tx:
        ada, bob, private, group = await people(tx)
        discord_chat = (await tx.chats.resolve(ChatRef("discord", "2"), ChatKind.PRIVATE, T0)).id
        await tx.answers.add(answer(ada, private, "q1", 0.5, T0))
        await tx.answers.add(answer(bob, discord_chat, "q2", 0.7, T0))
        await tx.cards.put(ada, card("q1", T0, reps=1))
        await tx.cards.put(bob, card("q1", T0 + timedelta(days=3), reps=4))
        rnd = await tx.rounds.open(NewRound(group, "q3", Mode.QUIZ, T0 + timedelta(hours=1), (), bob), T0)
        await tx.rounds.answer(rnd.id, RoundAnswer(ada, "Ada", 0.9, "correct", "x", T0))
        await tx.rounds.answer(rnd.id, RoundAnswer(bob, "Bob", 0.2, "incorrect", "y", T0))
        await tx.learners.merge(bob, ada)
        assert await tx.learners.get(bob) is None
        assert sorted(u.platform for u in await tx.learners.identities(ada)) == ["discord", "telegram"]
        assert {h.question_id for h in await tx.answers.history(ada)} == {"q1", "q2"}
        merged = await tx.cards.get(ada, "q1")
        assert merged is not None and merged.reps == 4  # the card that knows the learner better
        assert [(a.learner_id, a.score) for a in await tx.rounds.answers(rnd.id)] == [(ada, 0.9)]
        current = await tx.rounds.current(group)
        assert current is not None and current.started_by == ada

        alone = await tx.learners.detach(BOB, "Bob again", T0)
        assert alone.id != ada and alone.name == "Bob again"
        assert [h.question_id for h in await tx.answers.history(alone.id)] == ["q2"]  # his platform's answers
        assert [h.question_id for h in await tx.answers.history(ada)] == ["q1"]
        assert [c.question_id for c in await tx.cards.all(alone.id)] == ["q1"]  # a copy of every card
        assert (await tx.learners.detach(BOB, "Bob", T0)).id == alone.id  # nothing left to detach

        await tx.reminders.save(ada, private, 20, 0, T0)
        await tx.subscriptions.save(plan(private, ada, T0), T0)
        await tx.learners.delete(ada)
        assert await tx.learners.get(ada) is None and await tx.answers.history(ada) == []
        assert await tx.cards.all(ada) == [] and await tx.reminders.get(ada) is None
        assert await tx.subscriptions.for_chat(private) is None
        assert await tx.rounds.answers(rnd.id) == []
        assert (await tx.learners.resolve(ADA, "Ada", None, T0)).id != ada  # a stranger again


async def test_an_exception_rolls_the_transaction_back(store: Store) -> None:
    async with store.transaction() as tx:
        await tx.learners.resolve(ADA, "Ada", None, T0)
    with pytest.raises(RuntimeError):
        async with store.transaction() as tx:
            await tx.learners.resolve(BOB, "Bob", None, T0)
            await tx.chats.resolve(GROUP, ChatKind.GROUP, T0)
            raise RuntimeError("boom")
    async with store.transaction() as tx:
        assert await tx.chats.find(GROUP) is None
        ada = await tx.learners.resolve(ADA, "Ada", None, T0)
        assert await tx.learners.identities(ada.id) == [ADA]
        assert await tx.batch.learners([ada.id + 1]) == {}


async def test_the_purge_deletes_what_is_past_its_retention_and_nothing_else(store: Store) -> None:
    day = date(2026, 3, 2)
    async with store.transaction() as tx:
        ada, bob, private, group = await people(tx)
        await tx.links.create("GONE2345", ada, "telegram", T0 - timedelta(minutes=1))
        await tx.links.create("USED2345", ada, "telegram", T0 + timedelta(minutes=10))
        assert await tx.links.take("USED2345", T0 - timedelta(minutes=5)) == (ada, "telegram")
        await tx.links.create("LIVE2345", bob, "discord", T0 + timedelta(minutes=10))
        await tx.refs.put("old", "x", T0 - timedelta(hours=2))
        await tx.refs.put("edge", "x", T0)
        await tx.refs.put("live", "x", T0 + timedelta(seconds=1))
        a = await tx.subscriptions.save(plan(private, ada, T0), T0)
        b = await tx.subscriptions.save(plan(group, None, T0), T0)
        await tx.deliveries.claim_many([Delivery(a, day - timedelta(91), "q1", 1)], "w1", T0 - timedelta(days=91))
        await tx.deliveries.claim_many([Delivery(b, day - timedelta(89), "q2", 1)], "w1", T0 - timedelta(days=89))
        await tx.deliveries.claim_many([Delivery(a, day, "q3", 1)], "w1", T0)
    # Kept an hour after expiry: only the ref that ended two hours ago goes; the ledger keeps 90 days.
    hour = Retention(ledger=timedelta(days=90), expired=timedelta(hours=1))
    assert await purge(store, T0, hour) == PurgeReport(refs=1, link_codes=0, deliveries=1)
    assert await purge(store, T0, Retention()) == PurgeReport(refs=1, link_codes=2, deliveries=0)
    assert await purge(store, T0, Retention()) == PurgeReport(refs=0, link_codes=0, deliveries=0)
    async with store.transaction() as tx:
        assert await tx.refs.get("live", T0) == "x"
        assert await tx.links.owner("GONE2345") is None and await tx.links.owner("USED2345") is None
        assert await tx.links.take("LIVE2345", T0) == (bob, "discord")
        kept = [DeliveryKey(b.id, day - timedelta(89)), DeliveryKey(a.id, day)]
        assert await tx.deliveries.existing([DeliveryKey(a.id, day - timedelta(91)), *kept]) == set(kept)
        assert await tx.subscriptions.used_questions([a.id, b.id]) == {a.id: {"q3"}, b.id: {"q2"}}
