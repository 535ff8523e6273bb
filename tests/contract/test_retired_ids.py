"""Learners' progress follows a merged question to the id it was merged into (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.bootstrap import bootstrap
from bot.content.bank import Bank
from bot.core.modes import Mode
from bot.core.ports.answers import NewAppeal
from bot.core.ports.sessions import SessionStart
from bot.storage.store import SqlStore, open_store
from tests.contract.test_ports import T0, answer, card, people
from tests.wiring import test_settings as settings_for

MERGED = {"old-q": "kept-q", "older-q": "kept-q"}  # two retired ids merged into one question


async def test_rows_on_retired_ids_move_to_the_kept_question_once(store: SqlStore) -> None:
    async with store.transaction() as tx:
        ada, bob, private, _ = await people(tx)
        # Ada reviewed the old question last: her old card wins over her kept one.
        await tx.cards.put(ada, card("old-q", T0 + timedelta(days=5), reps=4))
        await tx.cards.put(ada, card("kept-q", T0 + timedelta(days=1), reps=1))
        # Bob reviewed the kept question last: his kept card stays, the older ones go.
        await tx.cards.put(bob, card("old-q", T0 + timedelta(days=1), reps=7))
        await tx.cards.put(bob, card("older-q", T0, reps=2))
        await tx.cards.put(bob, card("kept-q", T0 + timedelta(days=3), reps=1))
        await tx.cards.put(bob, card("other-q", T0))
        for qid, day in (("old-q", 0), ("older-q", 2), ("kept-q", 1)):
            await tx.answers.add(answer(ada, private, qid, 0.5, T0 + timedelta(days=day)))
        await tx.sessions.open(SessionStart(private, ada, "kept-q", Mode.QUIZ), T0 + timedelta(days=1))
        await tx.sessions.open(SessionStart(private, bob, "old-q", Mode.QUIZ), T0 + timedelta(days=4))
        await tx.appeals.add(NewAppeal(ada, "older-q", None, "mine", 0.3, "partly", "unfair"), T0)

    moved = await store.follow_retired(MERGED)
    assert moved > 0
    assert await store.follow_retired(MERGED) == 0  # idempotent: nothing left on a retired id

    async with store.transaction() as tx:
        ada_cards = {c.question_id: c for c in await tx.cards.all(ada)}
        bob_cards = {c.question_id: c for c in await tx.cards.all(bob)}
        assert set(ada_cards) == {"kept-q"} and ada_cards["kept-q"].reps == 4
        assert set(bob_cards) == {"kept-q", "other-q"} and bob_cards["kept-q"].reps == 1
        history = {h.question_id: h for h in await tx.answers.history(ada)}
        assert set(history) == {"kept-q"} and history["kept-q"].attempts == 3
        assert await tx.sessions.asked_at(ada) == {"kept-q": T0 + timedelta(days=1)}
        assert await tx.sessions.asked_at(bob) == {"kept-q": T0 + timedelta(days=4)}
        assert {a.question_id for a in await tx.appeals.all()} == {"kept-q"}


async def test_no_successors_touch_nothing(store: SqlStore) -> None:
    async with store.transaction() as tx:
        ada, _, _, _ = await people(tx)
        await tx.cards.put(ada, card("old-q", T0))
    assert await store.follow_retired({}) == 0
    async with store.transaction() as tx:
        assert [c.question_id for c in await tx.cards.all(ada)] == ["old-q"]


async def test_bootstrap_moves_progress_on_merged_questions(tmp_path: Path, bank: Bank) -> None:
    """Start-up runs the step with the bank's own successors (content/retired_ids.txt)."""
    old, kept = "vllm-characteristics", bank.successors["vllm-characteristics"]
    settings = settings_for(data_dir=tmp_path)
    sql = await open_store(settings.storage_url)
    async with sql.transaction() as tx:
        ada, _, _, _ = await people(tx)
        await tx.cards.put(ada, card(old, T0, reps=3))
    await sql.close()
    async with bootstrap(settings, bank=bank, adapters=[], warm=False):
        pass
    sql = await open_store(settings.storage_url)
    async with sql.transaction() as tx:
        assert [(c.question_id, c.reps) for c in await tx.cards.all(ada)] == [(kept, 3)]
    await sql.close()
