"""Content checks for misconceptions: patterns that catch their own claim and spare correct answers.

A pattern matches where one asserted clause has all of its terms, none of them negated: the
grader's own matcher (`bot.core.grading.credit.claim_clause`), run with every pattern of the
misconception in either language, as the grader runs them. Two ways a pattern set fails:

- its own claim, written as the bank writes it, is not caught (rule `misconception-claim`): a
  learner asserting the very wrong claim the bank lists would not be penalised;
- a pattern fires on a correct text of its own question, the model answer or the correct
  multiple-choice option, or on its own correction, in either language (rule
  `misconception-pattern`): it would cost a right answer credit.

The checker and the grader never disagree about either: both go through the same matcher.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.content.schema import LANGS, Misconception, Question, pattern_terms
from bot.core.grading.text import clean, weak_alias

if TYPE_CHECKING:  # the grader's matcher is imported when a check runs: the bot's start-up loads this module too
    from bot.core.grading.assertions import Reading

# A pattern the grader would find in a correct text of its question (`content check --only misconception-pattern`).
RULE = "misconception-pattern"
# A claim its own patterns do not catch (`content check --only misconception-claim`).
CLAIM_RULE = "misconception-claim"

# (path below the question, message, rule): the path locates the line (`("misconceptions", 0, "claim", "en")`).
MisconceptionProblem = tuple[tuple[str | int, ...], str, str]


@lru_cache(maxsize=8192)
def _reading(text: str) -> Reading:
    from bot.core.grading.assertions import read_rubric

    return read_rubric(clean(text))


def _asserts(text: str, patterns: list[tuple[str, ...]]) -> bool:
    """Whether one clause of `text` asserts every term of one of `patterns`, the grader's way."""
    from bot.core.grading.credit import claim_clause

    return claim_clause(_reading(text), patterns) is not None


@lru_cache(maxsize=16384)
def _terms(pattern: str) -> tuple[str, ...]:
    return pattern_terms(pattern)


def pattern_in(pattern: str, text: str) -> bool:
    """Whether `text` asserts `pattern` the way the grader decides it (one clause, every term, none negated)."""
    return _asserts(text, [_terms(pattern)])


def _patterns(mis: Misconception) -> list[tuple[str, ...]]:
    """Every pattern of the misconception, both languages: the grader looks for all of them in any answer."""
    return [_terms(p) for lang in LANGS for p in mis.patterns.get(lang)]


def claim_caught(mis: Misconception, lang: str) -> bool:
    """Whether the misconception's patterns catch its own claim in `lang`."""
    return _asserts(mis.claim.get(lang), _patterns(mis))


def claim_coverage(questions: Iterable[Question]) -> dict[str, tuple[int, int]]:
    """Per language, (claims their own patterns catch, claims)."""
    caught = dict.fromkeys(LANGS, 0)
    total = dict.fromkeys(LANGS, 0)
    for q in questions:
        for mis in q.misconceptions:
            for lang in LANGS:
                total[lang] += 1
                caught[lang] += claim_caught(mis, lang)
    return {lang: (caught[lang], total[lang]) for lang in LANGS}


def correct_texts(q: Question) -> list[tuple[str, str]]:
    """(what it is, text) of every text of the question that is right: model answer and correct option."""
    out: list[tuple[str, str]] = []
    for lang in LANGS:
        if q.answer is not None:
            out.append((f"the {lang} model answer", q.answer.get(lang)))
        if q.choice is not None:
            out.append((f"the correct {lang} option", q.choice.correct.get(lang)))
    return out


@lru_cache(maxsize=8192)
def _tokens(text: str) -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    from bot.core.grading.text import indexed_tokens

    return indexed_tokens(clean(text).replace("\u2019", "'"))  # as the clause reading sees "don’t"


def _may_hold(terms: tuple[str, ...], text: str) -> bool:
    """Whether every term stands somewhere in `text`: a token lookup, so that the clause reading (several
    times dearer) runs only on the few texts that may match. Symbol terms ("⊗") are left to the reading."""
    from bot.core.grading.text import phrase_pattern

    matchers = [phrase_pattern(t) for t in terms]
    if any(m.symbols is not None for m in matchers):
        return True
    tokens = _tokens(text)
    return all(m.found_in(*tokens) for m in matchers)


def _fires_on(pattern: str, texts: Sequence[tuple[str, str]]) -> str | None:
    terms = _terms(pattern)
    return next((what for what, text in texts if _may_hold(terms, text) and _asserts(text, [terms])), None)


def misconception_problems(q: Question) -> Iterator[MisconceptionProblem]:
    """Patterns the grader cannot use, patterns that fire on a correct text, claims no pattern catches."""
    if q.answer is None:
        return
    texts = correct_texts(q)
    for n, mis in enumerate(q.misconceptions):
        # Its own correction is right by definition: a learner who writes it must not be penalised.
        right = texts + [(f"its own {lang} correction", mis.correction.get(lang)) for lang in LANGS]
        for lang in LANGS:
            for i, pattern in enumerate(mis.patterns.get(lang)):
                where = ("misconceptions", n, "patterns", lang, i)
                short = [t for t in _terms(pattern) if weak_alias(t)]
                if short:
                    message = (
                        f"misconception pattern {pattern!r}: {short[0]!r} is too short to be evidence, and the grader "
                        "skips a pattern with such a term: drop it or write the word it belongs to"
                    )
                    yield where, f"question {q.id!r}: {message}", ""
                elif (what := _fires_on(pattern, right)) is not None:
                    message = (
                        f"misconception pattern {pattern!r} matches {what} itself: make it specific to the wrong "
                        "claim (add a term joined with ' + ')"
                    )
                    yield where, f"question {q.id!r}: {message}", RULE
            if not claim_caught(mis, lang):
                message = (
                    f"the {lang} claim {mis.claim.get(lang)!r} is not caught by its own patterns: a learner asserting "
                    "it would not be penalised; add a pattern made of its own words (or reword the claim)"
                )
                yield ("misconceptions", n, "claim", lang), f"question {q.id!r}: {message}", CLAIM_RULE
