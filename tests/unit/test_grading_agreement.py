"""Regression floor: the default grader against our own strict-interviewer labels.

tests/data/graded_answers.jsonl holds answers to bank questions (en, zh, and Chinese answers to
English questions): excellent, good, partial, wrong, off-topic, empty, too short, copied and
prompt-injection ones, each with the score a strict interviewer would give and why. The floors
sit a little under the figures measured when the grader was tuned (benchmarks/grading.py prints
them: verdict agreement 0.829, Pearson r 0.896, mean |error| 0.102 on 316 answers). The 142
answers on questions whose key points the content's second edition rewrote were relabelled
against the new key points (tests/data/README.md; each keeps its first label under `previous`); after
that and issue 14's grader fixes the figures are 0.804 (254 of 316; 253 is the fewest that pass 0.80), r 0.919,
mean |error| 0.091, all in-sample.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from pathlib import Path

import pytest

from bot.content.bank import Bank
from bot.core.grading import CORRECT_AT, PARTLY_AT, Flag, KeyPointGrader, Verdict, rubric_for

DATA = Path(__file__).resolve().parents[1] / "data" / "graded_answers.jsonl"
VERDICT_FLOOR = 0.80
PEARSON_FLOOR = 0.87
MAE_CEILING = 0.12


def _verdict(score: float) -> str:
    return "correct" if score >= CORRECT_AT else "partly" if score >= PARTLY_AT else "incorrect"


@pytest.fixture(scope="module")
def labelled() -> list[dict]:  # type: ignore[type-arg]
    with open(DATA, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def graded(bank: Bank, labelled: list[dict]) -> list[tuple[dict, object]]:  # type: ignore[type-arg]
    by_id = {q.id: q for q in bank.questions}
    grader = KeyPointGrader()
    return [(r, grader.grade(rubric_for(by_id[r["qid"]]), r["answer"], r["locale"])) for r in labelled]


def test_the_labelled_set_is_what_the_issue_asks_for(bank: Bank, labelled: list[dict]) -> None:  # type: ignore[type-arg]
    assert len(labelled) >= 300
    answered = {q.id for q in bank.questions if q.answered}
    assert {r["qid"] for r in labelled} <= answered, "every labelled answer must belong to an answered bank question"
    kinds = Counter(r["kind"] for r in labelled)
    for kind in ("excellent", "partial", "wrong", "off_topic", "empty", "copied", "injection", "zh_for_en"):
        assert kinds[kind] > 0, kind
    assert any(r["lang"] == "zh" and r["locale"] == "en" for r in labelled)
    for r in labelled:
        assert 0 <= r["score"] <= 1 and r["why"] and r["verdict"] == _verdict(r["score"]), r["id"]


def test_agreement_with_strict_interviewer_labels(graded: list[tuple[dict, object]]) -> None:  # type: ignore[type-arg]
    ours = [g.score for _, g in graded]  # type: ignore[attr-defined]
    theirs = [r["score"] for r, _ in graded]
    agreement = statistics.fmean(_verdict(a) == _verdict(b) for a, b in zip(ours, theirs, strict=True))
    mx, my = statistics.fmean(ours), statistics.fmean(theirs)
    cov = sum((a - mx) * (b - my) for a, b in zip(ours, theirs, strict=True))
    r = cov / math.sqrt(sum((a - mx) ** 2 for a in ours) * sum((b - my) ** 2 for b in theirs))
    mae = statistics.fmean(abs(a - b) for a, b in zip(ours, theirs, strict=True))
    assert agreement >= VERDICT_FLOOR, f"verdict agreement {agreement:.3f}"
    assert r >= PEARSON_FLOOR, f"Pearson r {r:.3f}"
    assert mae <= MAE_CEILING, f"mean |error| {mae:.3f}"


def test_answers_that_must_earn_nothing_earn_nothing(graded: list[tuple[dict, object]]) -> None:  # type: ignore[type-arg]
    for r, g in graded:
        if r["kind"] in ("empty", "copied", "off_topic") or (r["kind"] == "injection" and r["score"] == 0):
            assert g.verdict is Verdict.INCORRECT, (r["id"], r["answer"], g)  # type: ignore[attr-defined]
        if r["kind"] == "injection":
            assert Flag.INJECTION in g.flags, (r["id"], r["answer"])  # type: ignore[attr-defined]


def test_excellent_answers_are_correct(graded: list[tuple[dict, object]]) -> None:  # type: ignore[type-arg]
    excellent = [g for r, g in graded if r["kind"] == "excellent"]
    assert excellent and all(g.verdict is Verdict.CORRECT for g in excellent)  # type: ignore[attr-defined]
