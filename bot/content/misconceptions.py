"""Content checks for misconceptions: a wrong claim must not be what the model answer says.

A pattern matches where one asserted clause has all of its terms, none of them negated: the
grader's own matcher (`bot.core.grading.credit.claim_clause`), run over the question's model
answer in the pattern's language. A pattern that matches the model answer would cost a correct
answer credit, so it is an authoring error; the checker and the grader never disagree about it.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.content.schema import LANGS, Question, pattern_terms


def pattern_in(pattern: str, text: str) -> bool:
    """Whether `text` asserts `pattern` the way the grader decides it (one clause, every term, none negated)."""
    from bot.core.grading.assertions import read
    from bot.core.grading.credit import claim_clause
    from bot.core.grading.text import clean

    return claim_clause(read(clean(text)), [pattern_terms(pattern)]) is not None


# The rule of a pattern that the model answer asserts (`content check --only misconception-pattern`).
RULE = "misconception-pattern"


def misconception_problems(q: Question) -> Iterator[tuple[int, str, int, str, str]]:
    """(misconception index, language, pattern index, message, rule) for patterns the grader cannot use."""
    from bot.core.grading.text import weak_alias

    if q.answer is None:
        return
    for n, mis in enumerate(q.misconceptions):
        for lang in LANGS:
            answer = q.answer.get(lang)
            for i, pattern in enumerate(mis.patterns.get(lang)):
                terms = pattern_terms(pattern)
                if len(terms) == 1 and weak_alias(terms[0]):
                    message = f"misconception pattern {pattern!r} is too short to be evidence"
                    yield n, lang, i, f"question {q.id!r}: {message}", ""
                elif pattern_in(pattern, answer):
                    yield (
                        n,
                        lang,
                        i,
                        f"question {q.id!r}: misconception pattern {pattern!r} matches the model answer itself: "
                        "make it specific to the wrong claim (add a term joined with ' + ')",
                        RULE,
                    )
