"""The default grader: offline, deterministic, explainable.

An answer is scored by the key points it covers (each matched on its own, by an alias or by
enough of its statement's content words) and, less, by how much of the reference answer's
content it recalls. Words that already stand in the question earn nothing ("question
demoting"): repeating the question says nothing. Instructions inside the answer are never
read as instructions; they only earn a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from bot.core.grading.rubric import Rubric
from bot.core.grading.text import clean, content_terms, detect_lang, phrase_pattern

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


@dataclass(frozen=True)
class Grade:
    score: float  # 0..1
    verdict: Verdict
    covered: tuple[int, ...] = ()  # indexes into the rubric's key points
    missed: tuple[int, ...] = ()
    flags: tuple[Flag, ...] = ()
    lang: str = "en"  # the language the answer was written in
    details: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def feedback(self) -> str:
        """A catalog key for a one-line comment on the answer."""
        for flag in (Flag.EMPTY, Flag.TOO_SHORT, Flag.COPIED_QUESTION, Flag.OFF_TOPIC, Flag.INJECTION):
            if flag in self.flags:
                return f"feedback.{flag.value}"
        return f"feedback.{self.verdict.value}"


class Grader(Protocol):
    def grade(self, rubric: Rubric, answer: str, locale: str | None = None) -> Grade: ...


# Thresholds on the final score; tuned on the SemEval train splits (see benchmarks/grading.py).
CORRECT_AT = 0.6
PARTLY_AT = 0.3

_INJECTION = re.compile(
    r"ignore (?:all |the |any |previous |prior |your )*(?:instructions|rubric|rules|above)"
    r"|disregard (?:the |all |previous )*(?:instructions|rubric|rules)"
    r"|(?:give|award|grade|score|mark)(?: me| this| it| the answer)? (?:a )?(?:100|full|maximum|perfect|10/10)"
    r"|you are (?:now )?(?:a|the) grader|system prompt|as an ai"
    r"|忽略.{0,8}(?:指令|规则|评分|要求|以上)|满分|给(?:我|这个答案)?.{0,4}100\s*分|打\s*100|评为正确",
)


def verdict_for(score: float) -> Verdict:
    if score >= CORRECT_AT:
        return Verdict.CORRECT
    if score >= PARTLY_AT:
        return Verdict.PARTLY
    return Verdict.INCORRECT


class KeyPointGrader:
    """Key-point coverage plus reference recall, with question demoting."""

    def grade(self, rubric: Rubric, answer: str, locale: str | None = None) -> Grade:
        flags: list[Flag] = []
        if len(answer) > MAX_GRADED_CHARS:
            answer = answer[:MAX_GRADED_CHARS]
            flags.append(Flag.TRUNCATED)
        text = clean(answer)
        lang = detect_lang(text) if text else (locale or "en")
        n_points = len(rubric.points)
        if _INJECTION.search(text):
            flags.append(Flag.INJECTION)
        if not text:
            return Grade(0.0, Verdict.INCORRECT, (), tuple(range(n_points)), (Flag.EMPTY, *flags), lang)

        question_terms = set()
        for prompt in rubric.prompts:
            question_terms.update(content_terms(clean(prompt)))
        answer_terms = content_terms(text)
        new_terms = {t for t in answer_terms if t not in question_terms}

        if len(set(answer_terms)) < 3 or len(new_terms) < 2:
            copied = len(set(answer_terms)) >= 3
            flag = Flag.COPIED_QUESTION if copied else Flag.TOO_SHORT
            return Grade(0.0, Verdict.INCORRECT, (), tuple(range(n_points)), (flag, *flags), lang)

        question_text = " ".join(clean(p) for p in rubric.prompts)
        credits = [self._point_credit(p.aliases, p.text(lang), text, new_terms, question_text, question_terms)
                   for p in rubric.points]
        covered = tuple(i for i, c in enumerate(credits) if c >= 0.5)
        missed = tuple(i for i, c in enumerate(credits) if c < 0.5)

        ref_terms = set(content_terms(clean(rubric.reference(lang)))) - question_terms
        ref_recall = len(ref_terms & new_terms) / len(ref_terms) if ref_terms else 0.0
        ref_score = min(1.0, ref_recall / 0.5)

        if n_points:
            point_score = sum(min(c, 1.0) for c in credits) / n_points
            score = 0.8 * point_score + 0.2 * ref_score
        else:
            score = ref_score
        if score < 0.1 and ref_recall < 0.1:
            flags.insert(0, Flag.OFF_TOPIC)
        score = round(max(0.0, min(1.0, score)), 4)
        details = {"ref_recall": round(ref_recall, 4), "points": len(covered)}
        return Grade(score, verdict_for(score), covered, missed, tuple(flags), lang, details)

    @staticmethod
    def _point_credit(
        aliases: tuple[str, ...],
        statement: str,
        text: str,
        new_terms: set[str],
        question_text: str,
        question_terms: set[str],
    ) -> float:
        for alias in aliases:
            pattern = phrase_pattern(alias)
            # An alias the question already contains proves nothing when repeated.
            if pattern.search(text) and not pattern.search(question_text):
                return 1.0
        terms = set(content_terms(clean(statement))) - question_terms
        if not terms:
            return 0.0
        recall = len(terms & new_terms) / len(terms)
        if recall >= 0.6:
            return 1.0
        if recall >= 0.34:
            return 0.5
        return 0.0
