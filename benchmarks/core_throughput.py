"""Answers per second through the core, beside the raw SQLite commit rate of this machine.

The core's own cost per answer (routing, state, the SQLite commit) is measured with a
trivial grader plugged in; the end-to-end rate uses the default grader.

`--judge-overhead` measures only what the optional LLM judge's path costs the core: the trivial
grader with no judge configured (the default), and with an in-process assessor that answers at
once (the extra transaction that finds what an answer answers, and the staleness check).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.bootstrap import assemble
from bot.content.loader import load_bank
from bot.content.schema import Question
from bot.core.clock import FakeClock
from bot.core.events import ChatRef, Incoming, UserRef
from bot.core.grading import Grade, Grader, KeyPointGrader, Rubric, Verdict, rubric_for
from bot.core.ports.assessing import Assessment, Assessor
from bot.settings import Settings
from bot.storage.store import open_store, sqlite_url

ANSWERS = 2000


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


async def core_rate(
    grader: Grader, synchronous: str, users: int = 50, assessor: Assessor | None = None
) -> tuple[float, float]:
    """(answers per second, ms per answer) over ANSWERS answers, each after its /quiz."""
    bank = load_bank()
    answered = {q.id: q for q in bank.questions if q.answered}
    with tempfile.TemporaryDirectory() as tmp:
        store = await open_store(sqlite_url(Path(tmp) / "bench.db"), synchronous=synchronous)
        clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
        bot = assemble(
            Settings(_env_file=None),
            bank=bank,
            store=store,
            clock=clock,
            grader=grader,
            rng=random.Random(3),
            adapters=(),
            assessor=assessor,
        ).bot

        def incoming(u: int, text: str) -> Incoming:
            return Incoming(ChatRef("bench", str(u)), UserRef("bench", str(u)), f"user{u}", text=text)

        spent = 0.0
        for i in range(ANSWERS):
            u = i % users
            [question] = await bot.handle(incoming(u, "/quiz"))
            q = next(q for q in answered.values() if q.prompt.en in question.plain())
            clock.advance(seconds=1)
            t = time.perf_counter()
            await bot.handle(incoming(u, q.answer.en))  # type: ignore[union-attr]
            spent += time.perf_counter() - t
        await store.close()
    return ANSWERS / spent, spent / ANSWERS * 1000


async def judge_overhead() -> None:
    for label, assessor in (("no judge", None), ("instant judge", InstantAssessor(TrivialGrader()))):
        rate, ms = await core_rate(TrivialGrader(), "NORMAL", assessor=assessor)
        print(f"core, trivial grader, NORMAL, {label:13}: {rate:7.0f} answers/s  ({ms:.2f} ms/answer)")


async def main() -> None:
    print(f"raw SQLite commits/s, WAL synchronous=NORMAL: {raw_commit_rate('NORMAL'):8.0f}")
    print(f"raw SQLite commits/s, WAL synchronous=FULL:   {raw_commit_rate('FULL'):8.0f}")
    for sync in ("NORMAL", "FULL"):
        rate, ms = await core_rate(TrivialGrader(), sync)
        print(f"core, trivial grader, {sync:6}: {rate:7.0f} answers/s  ({ms:.2f} ms/answer: routing, state, commit)")
    rate, ms = await core_rate(KeyPointGrader(), "NORMAL")
    print(f"core, default grader, NORMAL: {rate:7.0f} answers/s  ({ms:.2f} ms per answer, end to end)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--judge-overhead", action="store_true", help="only the judge path's cost (see above)")
    asyncio.run(judge_overhead() if parser.parse_args().judge_overhead else main())
