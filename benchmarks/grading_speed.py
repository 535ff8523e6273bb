"""Grading latency for a 1,000-character answer with the default grader."""

from __future__ import annotations

import random
import statistics
import time

from bot.content.loader import load_bank
from bot.core.grading import KeyPointGrader, rubric_for


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def answers_of_length(bank, n: int, length: int, rng: random.Random):  # type: ignore[no-untyped-def]
    answered = [q for q in bank.questions if q.answered]
    for _ in range(n):
        q = rng.choice(answered)
        lang = rng.choice(["en", "zh"])
        words = (q.answer.get(lang) + " " + rng.choice(answered).answer.get(lang)) * 4
        yield q, words[:length], lang


def main() -> None:
    bank = load_bank()
    grader = KeyPointGrader()
    rng = random.Random(1)
    cases = list(answers_of_length(bank, 2000, 1000, rng))
    rubrics = {q.id: rubric_for(q) for q, _, _ in cases}
    for q, text, lang in cases[:200]:  # warm caches the way a running bot has them
        grader.grade(rubrics[q.id], text, lang)
    timings = []
    for q, text, lang in cases:
        t = time.perf_counter()
        grader.grade(rubrics[q.id], text, lang)
        timings.append((time.perf_counter() - t) * 1000)
    print(f"answers graded:   {len(timings)} (1,000 characters each, en and zh)")
    print(f"p50:              {statistics.median(timings):.2f} ms   (budget 10 ms)")
    print(f"p99:              {percentile(timings, 99):.2f} ms   (budget 50 ms)")
    print(f"max:              {max(timings):.2f} ms")
    t = time.perf_counter()
    cold = KeyPointGrader()
    q, text, lang = cases[0]
    cold.grade(rubric_for(q), text + " fresh", lang)
    print(f"first grade, new rubric: {(time.perf_counter() - t) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
