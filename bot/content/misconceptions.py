"""Content checks for misconceptions: a wrong claim must not be what the model answer says.

The grader decides at clause level whether an answer asserts a misconception (see
bot.core.grading). Here the checker only needs a conservative test: a pattern whose terms all
appear in one un-negated sentence of the question's own model answer would cost a correct
answer credit, so it is an authoring error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.content.schema import LANGS, Question, pattern_terms

_SENTENCE = re.compile(r"(?<=[.!?;。！？；])\s*|\n+")
_NEGATION = re.compile(
    r"\b(?:not|no|never|cannot|without|neither|nor|instead|rather than|myth|misconception|wrong)\b|n't"
    r"|不|没|非|无|并非|而是|误|错",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s and s.strip()]


def pattern_in(pattern: str, sentence: str) -> bool:
    """Every term of `pattern` in `sentence`, matched the way the grader matches aliases."""
    from bot.core.grading.text import clean, phrase_pattern

    cleaned = clean(sentence)
    return all(phrase_pattern(term).search(cleaned) for term in pattern_terms(pattern))


def misconception_problems(q: Question) -> Iterator[tuple[int, str, int, str]]:
    """(misconception index, language, pattern index, message) for patterns the grader cannot use."""
    from bot.core.grading.text import weak_alias

    if q.answer is None:
        return
    for n, mis in enumerate(q.misconceptions):
        for lang in LANGS:
            plain = [s for s in sentences(q.answer.get(lang)) if not _NEGATION.search(s)]
            for i, pattern in enumerate(mis.patterns.get(lang)):
                terms = pattern_terms(pattern)
                if len(terms) == 1 and weak_alias(terms[0]):
                    yield (
                        n,
                        lang,
                        i,
                        f"question {q.id!r}: misconception pattern {pattern!r} is too short to be evidence",
                    )
                elif any(pattern_in(pattern, s) for s in plain):
                    yield (
                        n,
                        lang,
                        i,
                        f"question {q.id!r}: misconception pattern {pattern!r} matches the model answer itself: "
                        "make it specific to the wrong claim (add a term joined with ' + ')",
                    )
