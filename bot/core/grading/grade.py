"""What a grade is: the verdict, the flags, the score and key points; and the Grader interface.

Apart from the grader's machinery (bot/core/grading/grader.py and what it imports: a few hundred
regular expressions, the combiner), so that the core, which reads grades everywhere, can be
imported without it: the bot shows its first prompt before the grader is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal, Protocol

from bot.core.grading.rubric import Rubric

# Only this much of an answer is read: a 100 kB paste is graded on its first part, in bounded time.
MAX_GRADED_CHARS = 6000


class Verdict(str, Enum):
    CORRECT = "correct"
    PARTLY = "partly"
    INCORRECT = "incorrect"


class Flag(str, Enum):
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    COPIED_QUESTION = "copied_question"
    OFF_TOPIC = "off_topic"
    INJECTION = "injection"
    TRUNCATED = "truncated"
    KEYWORD_LIST = "keyword_list"  # bare terms with nothing said about them: at most "partly"
    DONT_KNOW = "dont_know"  # the answer says it does not know (and names terms at most)
    WRONG_POLARITY = "wrong_polarity"  # a yes/no question answered with the opposite: at most "incorrect"
    WORD_SALAD = "word_salad"  # the reference's words in no sentence's order: nothing asserted
    TOO_LONG = "too_long"  # far longer than the question needs: graded down in proportion


@dataclass(frozen=True)
class Wrong:
    """Something the answer got wrong: a key point it contradicted, or a misconception it asserted."""

    kind: Literal["point", "misconception"]
    index: int  # into the rubric's points or misconceptions
    said: str  # the answer's clause that said it (cleaned)


@dataclass(frozen=True)
class Grade:
    score: float  # 0..1
    verdict: Verdict
    covered: tuple[int, ...] = ()  # indexes into the rubric's key points
    missed: tuple[int, ...] = ()
    flags: tuple[Flag, ...] = ()
    lang: str = "en"  # the language the answer was written in
    details: dict[str, float] = field(default_factory=dict, compare=False)
    wrong: tuple[Wrong, ...] = ()  # contradicted key points (never also covered or missed), misconceptions
    named: tuple[int, ...] = ()  # key points only named, not explained: a little credit, neither covered nor missed

    @property
    def feedback(self) -> str:
        """A catalog key for a one-line comment on the answer."""
        order = (
            Flag.EMPTY,
            Flag.TOO_SHORT,
            Flag.COPIED_QUESTION,
            Flag.DONT_KNOW,
            Flag.WORD_SALAD,
            Flag.OFF_TOPIC,
            Flag.INJECTION,
            Flag.KEYWORD_LIST,
            Flag.TOO_LONG,
        )
        for flag in order:
            if flag in self.flags:
                return f"feedback.{flag.value}"
        return f"feedback.{self.verdict.value}"


class Grader(Protocol):
    def grade(self, rubric: Rubric, answer: str, locale: str | None = None) -> Grade: ...


# Thresholds on the final score. The combiner's score is calibrated so that the threshold tuned
# on the SemEval train splits falls on CORRECT_AT (see combiner.py and benchmarks/grading.py).
CORRECT_AT = 0.6
PARTLY_AT = 0.3


def verdict_for(score: float) -> Verdict:
    if score >= CORRECT_AT:
        return Verdict.CORRECT
    if score >= PARTLY_AT:
        return Verdict.PARTLY
    return Verdict.INCORRECT
