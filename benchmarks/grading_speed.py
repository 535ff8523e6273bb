"""Grading latency of the default grader, by answer length and kind of text (one command).

    python benchmarks/grading_speed.py            # the table (about a minute)
    python benchmarks/grading_speed.py --n 200    # fewer answers per cell

Each cell grades `n` answers of one length against random bank questions and prints p50, p99 and
max of the CPU time per answer (this process only, so other load on the machine barely moves it). The
cells take turns, one answer each per round, so that a slower spell of a shared machine falls on all
of them; a fixed piece of Python work timed once per round shows how far the machine's speed moved.
Three kinds of text, in English and Chinese:

- bank: model answers of other questions glued together (words the caches have seen);
- unseen: invented words (English) or random characters of the CJK block (Chinese): every word new;
- misspelt: bank text with about one word in three mistyped (letters swapped, dropped, doubled).

The unseen and misspelt kinds are the hard ones: nothing is cached and the soft (trigram) matching of
misspellings does the most work. Targets (issue 14): 1,000 characters p99 <= 50 ms, 4,000 p99 <= 50 ms,
6,000 (the longest graded) p99 <= 100 ms.

Start-up is the bot's own (`warmup.warm_and_freeze`: rubrics analysed, then frozen, and the garbage
collector's first threshold raised). The last lines say how much of the graded CPU time the collector took.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.content.loader import load_bank  # noqa: E402
from bot.content.schema import Question  # noqa: E402
from bot.core.grading import KeyPointGrader, rubric_for, warmup  # noqa: E402

TARGETS = {1000: 50.0, 4000: 50.0, 6000: 100.0}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def bank_text(answered: list[Question], lang: str, length: int, rng: random.Random) -> str:
    parts: list[str] = []
    while sum(map(len, parts)) < length:
        parts.append(rng.choice(answered).answer.get(lang))  # type: ignore[union-attr]
    return " ".join(parts)[:length]


def unseen_text(lang: str, length: int, rng: random.Random) -> str:
    if lang == "zh":
        chars = [chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(length)]
        for i in range(0, length, rng.randint(8, 20)):
            chars[i] = "，"
        return "".join(chars)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 12))))
    return " ".join(words)[:length]


def misspell(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(len(word) - 1)
    edit = rng.randrange(3)
    if edit == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if edit == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def misspelt_text(answered: list[Question], lang: str, length: int, rng: random.Random) -> str:
    text = bank_text(answered, lang, length * 2, rng)
    if lang == "zh":
        chars = list(text)
        for i in range(0, len(chars), 3):
            if "\u4e00" <= chars[i] <= "\u9fa5":
                chars[i] = chr(rng.randint(0x4E00, 0x9FA5))
        return "".join(chars)[:length]
    return " ".join(misspell(w, rng) if rng.random() < 0.35 else w for w in text.split())[:length]


class Collections:
    """The cyclic garbage collector's runs inside the timed grades: how many, their CPU ms, the longest."""

    def __init__(self) -> None:
        self.timing = False
        self.runs: list[float] = []
        self._started = 0.0
        gc.callbacks.append(self._observe)

    def _observe(self, phase: str, info: dict[str, int]) -> None:
        if not self.timing:
            return
        if phase == "start":
            self._started = time.process_time()
        else:
            self.runs.append((time.process_time() - self._started) * 1000)


class Cell:
    """One language, length and kind of text: its own random stream, so its answers are the same in every run."""

    def __init__(self, lang: str, length: int, kind: str, make: Callable[[random.Random], str]) -> None:
        self.lang, self.length, self.kind, self.make = lang, length, kind, make
        self.rng = random.Random(7)
        self.timings: list[float] = []


def probe() -> float:
    """CPU ms of a fixed piece of Python work (string keys hashed into a dict): the machine's speed right now."""
    t = time.process_time()
    _ = {f"k{i}": i for i in range(5_000)}
    return (time.process_time() - t) * 1000


def measure(
    grader: KeyPointGrader, questions: list[Question], cells: list[Cell], n: int, collections: Collections
) -> list[float]:
    """Round by round, one answer of every cell per round: a spell in which the (shared) machine runs slower
    falls on every cell alike instead of on the cells measured then. Returns the probe's timings, one per round."""
    rubrics = {q.id: rubric_for(q) for q in questions}
    probes = []
    for _ in range(n):
        probes.append(probe())
        for cell in cells:
            q = cell.rng.choice(questions)
            text = cell.make(cell.rng)
            collections.timing = True
            t = time.process_time()
            grader.grade(rubrics[q.id], text)
            cell.timings.append((time.process_time() - t) * 1000)
            collections.timing = False
    return probes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400, help="answers per cell")
    args = parser.parse_args()
    bank = load_bank()
    answered = [q for q in bank.questions if q.answered]
    grader = KeyPointGrader()
    # Start-up as the bot does it (bot/bootstrap.py): every rubric analysed, then frozen out of the GC's way.
    t0 = time.perf_counter()
    warmup.warm_and_freeze([rubric_for(q) for q in answered])
    warm_s = time.perf_counter() - t0

    kinds: dict[str, Callable[[str, int], Callable[[random.Random], str]]] = {
        "bank": lambda lang, n: lambda r: bank_text(answered, lang, n, r),
        "unseen": lambda lang, n: lambda r: unseen_text(lang, n, r),
        "misspelt": lambda lang, n: lambda r: misspelt_text(answered, lang, n, r),
    }
    cells = [
        Cell(lang, length, kind, factory(lang, length))
        for lang in ("en", "zh")
        for length in TARGETS
        for kind, factory in kinds.items()
    ]
    collections = Collections()
    probes = measure(grader, answered, cells, args.n, collections)

    print("CPU ms per answer (p50 / p99 / max)")
    print(f"{'lang':<5} {'chars':>6} {'kind':<9} {'p50':>7} {'p99':>7} {'max':>7} {'target p99':>11}")
    pooled: dict[tuple[str, int], list[float]] = {}
    for cell in cells:
        t, target = cell.timings, TARGETS[cell.length]
        pooled.setdefault((cell.lang, cell.length), []).extend(t)
        p99 = percentile(t, 99)
        flag = "" if p99 <= target else "  over"
        print(
            f"{cell.lang:<5} {cell.length:>6} {cell.kind:<9} {statistics.median(t):>7.2f} {p99:>7.2f}"
            f" {max(t):>7.2f} {target:>9.0f}{flag}"
        )
    print("\nper language and length, the three kinds together (the issue's targets)")
    print(f"{'lang':<5} {'chars':>6} {'p50':>7} {'p99':>7} {'target p99':>11}")
    for (lang, length), t in pooled.items():
        p99 = percentile(t, 99)
        flag = "" if p99 <= TARGETS[length] else "  over"
        print(f"{lang:<5} {length:>6} {statistics.median(t):>7.2f} {p99:>7.2f} {TARGETS[length]:>9.0f}{flag}")
    print(f"(CPU time of this process, time.process_time; load average {os.getloadavg()[0]:.1f} at the end)")
    print(
        f"machine speed during the run: a fixed piece of Python work took {statistics.median(probes):.2f} ms at p50,"
        f" {percentile(probes, 5):.2f}-{percentile(probes, 95):.2f} ms at p5-p95"
        " (when the spread is wide, the machine's speed moved, and every cell's p99 with it)"
    )
    graded_ms = sum(sum(t) for t in pooled.values())
    runs = collections.runs
    print(
        f"garbage collector inside the grades: {len(runs)} runs in {sum(len(t) for t in pooled.values())} grades,"
        f" {sum(runs):.0f} of {graded_ms:.0f} ms ({100 * sum(runs) / graded_ms:.1f} %),"
        f" longest {max(runs, default=0):.1f} ms (first threshold {gc.get_threshold()[0]})"
    )
    t0 = time.process_time()
    KeyPointGrader().grade(rubric_for(answered[0]), bank_text(answered, "en", 1000, random.Random(3)) + " fresh")
    print(f"\nstart-up warm-up of {len(answered)} rubrics: {warm_s:.2f} s")
    print(f"first grade with a new grader and rubric: {(time.process_time() - t0) * 1000:.1f} ms CPU")


if __name__ == "__main__":
    main()
