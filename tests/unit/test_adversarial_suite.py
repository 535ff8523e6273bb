"""The adversarial suite holds its floors: attacks kept low, honest answers credited, in both languages.

A sample of the bank (every SAMPLE-th answered question) keeps this quick; `benchmarks/adversarial.py`
runs the whole bank and prints the table. Floors sit a little under what the grader measures on the
whole bank, so a change that loses ground on any kind fails here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.content.bank import Bank
from bot.core.grading import Flag, KeyPointGrader
from bot.grading_suite import ATTACKS, POSITIVES, Outcome, evaluate, generate, summarise

SAMPLE = 12
# Share held (attacks) or credited (positives) per kind; the targets are 0.95 and 0.90 (issue 14). The sample
# holds only about 20 swapped-fact cases per language: one miss is 5 %, so that floor leaves room for two.
FLOORS = {
    "dont_know": 0.95,
    "negated": 0.95,
    "contradiction": 0.85,
    "misconception": 0.9,
    "swapped": 0.9,
    "shuffled": 0.9,
    "bare_list": 0.95,
    "glued_list": 0.95,
    "dump": 0.9,
    "other_topic": 0.9,
    "injection": 0.95,
    "reference": 0.95,
    "paraphrase": 0.95,
    "other_language": 0.95,
    "short": 0.95,
}


@pytest.fixture(scope="module")
def outcomes(bank: Bank) -> Sequence[Outcome]:
    cases = generate(bank.questions, every=SAMPLE)
    assert len({c.qid for c in cases}) >= 40
    return evaluate(cases, KeyPointGrader(), bank.questions)


def test_every_kind_is_generated_in_both_languages(outcomes: Sequence[Outcome]) -> None:
    kinds = {(o.case.kind, o.case.lang) for o in outcomes}
    missing = {(k, lang) for k in ATTACKS + POSITIVES for lang in ("en", "zh")} - kinds
    # Misconceptions exist only where authors have written them.
    assert missing <= {("misconception", "en"), ("misconception", "zh")}, missing


@pytest.mark.parametrize("kind", ATTACKS + POSITIVES)
def test_floor_per_kind_and_language(outcomes: Sequence[Outcome], kind: str) -> None:
    rows = [r for r in summarise(outcomes) if r.kind == kind]
    for row in rows:
        failing = [o for o in outcomes if o.case.kind == kind and o.case.lang == row.lang and not o.ok][:3]
        shown = [(o.case.qid, o.case.template, round(o.grade.score, 2), o.case.answer[:80]) for o in failing]
        assert row.share >= FLOORS[kind], (kind, row.lang, round(row.share, 3), shown)


def test_the_suite_is_large_enough_over_the_whole_bank(bank: Bank) -> None:
    assert len(generate(bank.questions, kinds=("negated", "reference"))) >= 2000


def test_model_answers_are_not_taken_for_instructions(bank: Bank) -> None:
    """A model answer that names the system prompt, a PDF parser called Marker or a grading rubric tells the
    grader nothing: over the whole bank, only one that quotes an attack ("ignore previous instructions") may
    be flagged."""
    cases = generate(bank.questions, kinds=("reference",))
    flagged = {o.case.qid for o in evaluate(cases, KeyPointGrader(), bank.questions) if Flag.INJECTION in o.grade.flags}
    quoting = {q.id for q in bank.questions if q.answer and "ignore previous instructions" in q.answer.en.lower()}
    assert flagged <= quoting, flagged
