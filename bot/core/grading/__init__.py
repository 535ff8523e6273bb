"""Grading free-text answers: one interface, `Grader.grade(rubric, answer, locale) -> Grade`."""

from bot.core.grading.grader import CORRECT_AT, PARTLY_AT, Flag, Grade, Grader, KeyPointGrader, Verdict
from bot.core.grading.rubric import Rubric, RubricPoint, rubric_for, rubric_from_record

__all__ = [
    "CORRECT_AT",
    "PARTLY_AT",
    "Flag",
    "Grade",
    "Grader",
    "KeyPointGrader",
    "Rubric",
    "RubricPoint",
    "Verdict",
    "rubric_for",
    "rubric_from_record",
]
