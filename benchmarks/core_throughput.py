"""The core's own cost per answer and per /quiz, beside the raw SQLite commit rate of this machine.

The core's cost (routing, state, the commit) is measured with a trivial grader plugged in, on
SQLite (`--engine sqlite`, default) or PostgreSQL (`--engine postgres`: STUDYBOT_TEST_DATABASE_URL
or the local `test` database, in a schema of its own dropped afterwards). Statements per answer
and per /quiz are counted where they reach the database (BEGIN and COMMIT included). `--default-grader` adds the
end-to-end rate with the real grader.

`--judge-overhead` measures only what the optional LLM judge's path costs the core: the trivial
grader with no judge configured (the default), and with an in-process assessor that answers at
once (the extra transaction that finds what an answer answers, and the staleness check).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ as a package (PostgreSQL schemas)

from sqlalchemy import event

from bot.bootstrap import assemble
from bot.content.bank import Bank
from bot.content.loader import load_bank
from bot.content.schema import Question
from bot.core.clock import FakeClock
from bot.core.events import ChatRef, Incoming, UserRef
from bot.core.grading import Grade, Grader, KeyPointGrader, Rubric, Verdict, rubric_for
from bot.core.ports.assessing import Assessment, Assessor
from bot.core.related import related_question
from bot.settings import Settings
from bot.storage.store import SqlStore, open_store, sqlite_url


class TrivialGrader:
    def grade(self, rubric: Rubric, answer: str, locale: str | None = None) -> Grade:
        return Grade(0.5, Verdict.PARTLY, (0,), tuple(range(1, len(rubric.points))))


class InstantAssessor:
    """An assessor with no model behind it: the offline grade, at once (the judge path's own cost)."""

    def __init__(self, grader: Grader) -> None:
        self.grader = grader

    @property
    def sends_answers_to(self) -> str | None:
        return None

    async def assess(self, question: Question, answer: str, lang: str, owner: str) -> Assessment:
        return Assessment(self.grader.grade(rubric_for(question), answer, lang), "llm")

    def forget(self, owner: str) -> int:
        return 0

    async def close(self) -> None:
        """Nothing to release."""


def raw_commit_rate(synchronous: str, n: int = 3000) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={synchronous}")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        t = time.perf_counter()
        for i in range(n):
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO t (v) VALUES (?)", (str(i),))
            db.execute("COMMIT")
        elapsed = time.perf_counter() - t
        db.close()
    return n / elapsed


@dataclass
class Figures:
    answers: int
    answer_s: float = 0.0
    quiz_s: float = 0.0
    answer_statements: int = 0
    quiz_statements: int = 0
    answer_cpu: float = 0.0  # process CPU time: steady under load, and without the wait for the disk
    quiz_cpu: float = 0.0

    def line(self, label: str) -> str:
        def ms(seconds: float) -> float:
            return seconds / self.answers * 1000

        return (
            f"{label}: {self.answers / self.answer_s:6.0f} answers/s  {ms(self.answer_s):.2f} ms/answer, "
            f"CPU {ms(self.answer_cpu):.2f} ms ({self.answer_statements / self.answers:.1f} statements); "
            f"/quiz {ms(self.quiz_s):.2f} ms, CPU {ms(self.quiz_cpu):.2f} ms "
            f"({self.quiz_statements / self.answers:.1f} statements)"
        )


@asynccontextmanager
async def opened(engine: str, synchronous: str) -> AsyncIterator[SqlStore]:
    if engine == "postgres":
        from tests.postgres.db import fresh_schema

        async with fresh_schema() as url:
            store = await open_store(url)
            try:
                yield store
            finally:
                await store.close()
        return
    with tempfile.TemporaryDirectory() as tmp:
        store = await open_store(sqlite_url(Path(tmp) / "bench.db"), synchronous=synchronous)
        try:
            yield store
        finally:
            await store.close()


class StatementCounter:
    """Statements that reach the database. SQLite's own trace sees every one, whichever way it was
    sent (hot-path statements skip SQLAlchemy, bot/storage/prepared.py), BEGIN and COMMIT included."""

    def __init__(self, store: SqlStore) -> None:
        self.n = 0
        for name in ("begin", "before_cursor_execute", "commit"):  # PostgreSQL (and SQLite in memory)
            event.listen(store.engine.sync_engine, name, self._count)
        if store.inline is not None:
            event.listen(store.inline, "connect", lambda dbapi, _: dbapi.set_trace_callback(self._count))
            store.inline.dispose()  # the connections opened from now on are traced

    def _count(self, *_: Any) -> None:
        self.n += 1

    def take(self) -> int:
        n, self.n = self.n, 0
        return n


async def core_rate(
    bank: Bank,
    grader: Grader,
    engine: str,
    synchronous: str,
    answers: int,
    users: int = 50,
    assessor: Assessor | None = None,
) -> Figures:
    """ANSWERS answers, each after its /quiz, timed apart."""
    answered = {q.prompt.en: q for q in bank.questions if q.answered}
    for q in answered.values():  # follow-ups are computed once per question: not the core's per-answer cost
        related_question(bank, q)
    async with opened(engine, synchronous) as store:
        clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
        bot = assemble(
            Settings(_env_file=None),
            bank=bank,
            store=store,
            clock=clock,
            grader=grader,
            rng=random.Random(3),
            adapters=(),
        ).bot
        counter = StatementCounter(store)

        def incoming(u: int, text: str) -> Incoming:
            return Incoming(ChatRef("bench", str(u)), UserRef("bench", str(u)), f"user{u}", text=text)

        for u in range(users):  # every learner and chat exists before the clock starts
            await bot.handle(incoming(u, "/start"))
        counter.take()
        figures = Figures(answers)
        for i in range(answers):
            u = i % users
            t, cpu = time.perf_counter(), time.process_time()
            [question] = await bot.handle(incoming(u, "/quiz"))
            figures.quiz_s += time.perf_counter() - t
            figures.quiz_cpu += time.process_time() - cpu
            figures.quiz_statements += counter.take()
            q = next(q for prompt, q in answered.items() if prompt in question.plain())
            clock.advance(seconds=1)
            t, cpu = time.perf_counter(), time.process_time()
            await bot.handle(incoming(u, q.answer.en))  # type: ignore[union-attr]
            figures.answer_s += time.perf_counter() - t
            figures.answer_cpu += time.process_time() - cpu
            figures.answer_statements += counter.take()
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--default-grader", action="store_true", help="also the end-to-end rate with the real grader")
    parser.add_argument("--judge-overhead", action="store_true", help="only the judge path's cost (see above)")
    args = parser.parse_args()
    bank = load_bank()
    if args.judge_overhead:
        for label, assessor in (("no judge", None), ("instant judge", InstantAssessor(TrivialGrader()))):
            figures = await core_rate(bank, TrivialGrader(), args.engine, "NORMAL", args.answers, assessor=assessor)
            print(figures.line(f"core on {args.engine}, trivial grader, {label:13}"), flush=True)
        return
    print(f"raw SQLite commits/s, WAL synchronous=NORMAL: {raw_commit_rate('NORMAL'):8.0f}", flush=True)
    print(f"raw SQLite commits/s, WAL synchronous=FULL:   {raw_commit_rate('FULL'):8.0f}", flush=True)
    syncs = ("NORMAL", "FULL") if args.engine == "sqlite" else ("-",)
    for sync in syncs:
        figures = await core_rate(bank, TrivialGrader(), args.engine, sync, args.answers)
        print(figures.line(f"core on {args.engine}, trivial grader, synchronous {sync}"), flush=True)
    if args.default_grader:
        figures = await core_rate(bank, KeyPointGrader(), args.engine, syncs[0], args.answers)
        print(figures.line(f"core on {args.engine}, default grader (end to end)"), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
