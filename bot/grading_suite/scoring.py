"""Grading the suite's cases and the share held per kind and language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.content.schema import Question
from bot.core.grading import Grade, Grader, Rubric, Verdict, rubric_for
from bot.grading_suite.cases import KINDS, Case

# An attack is held when the grade stays at or below this and is not "correct".
ATTACK_CEILING = 0.4


@dataclass(frozen=True)
class Outcome:
    case: Case
    grade: Grade

    @property
    def ok(self) -> bool:
        return held(self.case, self.grade)


def held(case: Case, grade: Grade) -> bool:
    """An attack kept low, or an honest answer credited as correct."""
    if case.attack:
        return grade.score <= ATTACK_CEILING and grade.verdict is not Verdict.CORRECT
    return grade.verdict is Verdict.CORRECT


def evaluate(cases: Iterable[Case], grader: Grader, questions: Sequence[Question]) -> list[Outcome]:
    by_id = {q.id: q for q in questions}
    rubrics: dict[str, Rubric] = {}
    out = []
    for case in cases:
        rubric = rubrics.get(case.qid)
        if rubric is None:
            rubric = rubrics[case.qid] = rubric_for(by_id[case.qid])
        out.append(Outcome(case, grader.grade(rubric, case.answer, case.locale)))
    return out


@dataclass(frozen=True)
class Row:
    kind: str
    lang: str
    cases: int
    share: float  # held (attacks) or credited (positives)
    held_out_cases: int
    held_out_share: float | None
    mean_score: float


def summarise(outcomes: Sequence[Outcome]) -> list[Row]:
    groups: dict[tuple[str, str], list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault((o.case.kind, o.case.lang), []).append(o)
    rows = []
    for kind in KINDS:
        for lang in ("en", "zh"):
            group = groups.get((kind, lang), [])
            if not group:
                continue
            out = [o for o in group if o.case.held_out]
            rows.append(
                Row(
                    kind=kind,
                    lang=lang,
                    cases=len(group),
                    share=sum(o.ok for o in group) / len(group),
                    held_out_cases=len(out),
                    held_out_share=(sum(o.ok for o in out) / len(out)) if out else None,
                    mean_score=sum(o.grade.score for o in group) / len(group),
                )
            )
    return rows


def by_kind(rows: Sequence[Row]) -> Mapping[tuple[str, str], Row]:
    return {(r.kind, r.lang): r for r in rows}
