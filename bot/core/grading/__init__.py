"""Grading free-text answers: one interface, `Grader.grade(rubric, answer, locale) -> Grade`.

What a grade is (bot/core/grading/grade.py) and the rubric load with the package; the default
grader, `KeyPointGrader`, only when asked for: its regular expressions and combiner are a tenth of
a start-up, and the bot shows its first prompt before it needs them.
"""

from typing import TYPE_CHECKING, Any

from bot.core.grading.grade import CORRECT_AT, PARTLY_AT, Flag, Grade, Grader, Verdict
from bot.core.grading.rubric import Rubric, RubricPoint, rubric_for, rubric_from_record

if TYPE_CHECKING:
    from bot.core.grading.grader import KeyPointGrader

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


def __getattr__(name: str) -> Any:
    if name == "KeyPointGrader":
        from bot.core.grading.grader import KeyPointGrader

        return KeyPointGrader
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
