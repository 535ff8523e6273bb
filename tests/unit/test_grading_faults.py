"""Grader faults behind the labelled-answer agreement (issue 14), held as general rules over the whole bank.

Each rule's cases are generated from every question of the bank, in both languages; floors sit a little
under the shares measured when the rule went in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from bot.content.bank import Bank
from bot.content.schema import Question
from bot.core.grading import KeyPointGrader, Verdict, rubric_for
from bot.core.grading.assertions import read
from bot.core.grading.credit import _PRIVATIVE, privative_near, weigh
from bot.core.grading.features import analyse_rubric
from bot.core.grading.rubric import Rubric, RubricPoint
from bot.core.grading.text import clean, is_cjk, phrase_pattern

grader = KeyPointGrader()
LANGS = ("en", "zh")
PRONOUN = {"en": "It ", "zh": "它"}


def _answered(bank: Bank) -> list[Question]:
    return [q for q in bank.questions if q.answered]


def _subject(rubric: Rubric, patterns: tuple[tuple[str, ...], ...], claim: str, prompt: str) -> str | None:
    """A term of a pattern that the question names and the claim opens with: the claim's subject."""
    for terms in patterns:
        for term in terms:
            if len(terms) > 1 and claim.lower().startswith(term.lower()) and phrase_pattern(term).search(clean(prompt)):
                return term
    return None


def _pronoun_claims(bank: Bank) -> list[tuple[Rubric, int, str, str]]:
    """Every misconception claim that opens with the question's subject, the subject put as "It" / "它"."""
    out = []
    for q in _answered(bank):
        rubric = rubric_for(q)
        for k, mis in enumerate(rubric.misconceptions):
            for lang, prompt in zip(LANGS, rubric.prompts, strict=False):
                claim = mis.claim(lang)
                subject = _subject(rubric, mis.patterns, claim, prompt)
                if subject is not None:
                    out.append((rubric, k, lang, PRONOUN[lang] + claim[len(subject) :].lstrip()))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_a_misconception_said_of_the_question_s_subject_as_it_is_caught(bank: Bank, lang: str) -> None:
    """ "What is LoRA?" - "It always adds latency": the answer takes the question's subject as given."""
    cases = [c for c in _pronoun_claims(bank) if c[2] == lang]
    caught = sum(
        any(w.kind == "misconception" and w.index == k for w in grader.grade(rubric, text, lang).wrong)
        for rubric, k, _, text in cases
    )
    assert len(cases) > 300
    assert caught / len(cases) >= 0.95, (caught, len(cases))


def test_a_model_answer_opening_with_it_asserts_no_misconception(bank: Bank) -> None:
    """The same rule read on correct text: every model answer, its opening subject put as "It" / "它"."""
    tried = fired = 0
    for q in _answered(bank):
        rubric = rubric_for(q)
        for lang, prompt in zip(LANGS, rubric.prompts, strict=False):
            reference = rubric.reference(lang)
            names = [a for p in rubric.points for a in p.aliases] + [
                t for m in rubric.misconceptions for terms in m.patterns for t in terms
            ]
            subject = next(
                (
                    t
                    for t in sorted(names, key=len, reverse=True)
                    if reference.lower().startswith(t.lower()) and phrase_pattern(t).search(clean(prompt))
                ),
                None,
            )
            if subject is None:
                continue
            tried += 1
            grade = grader.grade(rubric, PRONOUN[lang] + reference[len(subject) :].lstrip(), lang)
            fired += any(w.kind == "misconception" for w in grade.wrong)
    assert tried > 100
    assert fired <= 0.01 * tried, (fired, tried)


def _gone_cases(bank: Bank) -> list[tuple[bool, Rubric, int, str, str]]:
    """(whether the statement says the alias is gone, rubric, point, language, answer) for every alias of a
    statement that says "not" in other words ("Weight gradients … are skipped"), the answer saying "none of" it."""
    out = []
    for q in _answered(bank):
        rubric = rubric_for(q)
        question = " ".join(clean(p) for p in rubric.prompts)
        for k, point in enumerate(rubric.points):
            for lang in LANGS:
                statement = clean(point.text(lang))
                if not _PRIVATIVE.search(statement):
                    continue
                for alias in point.aliases:
                    matcher = phrase_pattern(alias)
                    chinese = any(is_cjk(c) for c in alias)
                    if chinese != (lang == "zh") or matcher.weak or _PRIVATIVE.search(clean(alias)):
                        continue
                    if not matcher.search(statement) or matcher.search(question):
                        continue
                    answer = f"This way you need no {alias} at all." if lang == "en" else f"这样就不需要{alias}了。"
                    out.append((privative_near(matcher, statement), rubric, k, lang, answer))
    return out


def test_none_of_a_term_the_statement_says_is_gone_asserts_the_point(bank: Bank) -> None:
    """ "Weight gradients for frozen matrices are skipped" - "Frozen weights need no weight gradients": the point
    stated, not denied; where the statement says "not" of something else ("routers collapse without load
    balancing" is near; "uses A instead of B" of A is not), "you need no A" still contradicts it."""
    cases = _gone_cases(bank)
    outcome: dict[bool, list[bool]] = {True: [], False: []}
    for gone, rubric, k, lang, answer in cases:
        grade = grader.grade(rubric, answer, lang)
        outcome[gone].append(any(w.kind == "point" and w.index == k for w in grade.wrong))
    said, other = outcome[True], outcome[False]
    assert len(said) >= 25 and len(other) >= 500
    assert sum(said) <= 0.05 * len(said), (sum(said), len(said))
    assert sum(other) >= 0.95 * len(other), (sum(other), len(other))


# A learner's general words for the statements' own (the reverse of the grader's `credit._SYNONYMS_*`).
_REWORD_EN = {"token": "word", "tokens": "words", "side": "direction", "sides": "directions", "earlier": "previous"}
_REWORD_EN |= {"large": "big", "larger": "bigger", "largest": "biggest"}
_REWORD_EN_AT = re.compile(r"\b(?:" + "|".join(_REWORD_EN) + r")\b")
_REWORD_ZH = {"两侧": "双向", "前文的": "前面的", "单张": "单卡"}
_REWORD_ZH_AT = re.compile(r"两侧|前文的|单张|(?<=[个的些])\s?token\b")


def _reworded(statement: str, lang: str) -> str | None:
    if lang == "en":
        changed = _REWORD_EN_AT.sub(lambda m: _REWORD_EN[m.group(0)], statement)
    else:
        changed = _REWORD_ZH_AT.sub(lambda m: _REWORD_ZH.get(m.group(0), "词"), statement)
    return changed if changed != statement else None


def _credit(rubric: Rubric, k: int, answer: str, lang: str) -> float:
    text = clean(answer)
    prompts = [clean(p) for p in rubric.prompts]
    question = frozenset().union(*(analyse_rubric(p).units for p in prompts))
    return weigh(rubric, read(text), lang, " ".join(prompts), question).points[k].credit


def _reworded_statements(bank: Bank, aliases: bool) -> list[tuple[float, float]]:
    """(the credit the statement earns its point, the credit the reworded statement does) for every statement
    with a word to reword; `aliases=False`: the rubric's aliases left out, so that only the statement's words
    can earn it."""
    out = []
    for q in _answered(bank):
        rubric = rubric_for(q)
        if not aliases:
            points = tuple(RubricPoint(p.texts, ()) for p in rubric.points)
            rubric = Rubric(rubric.prompts, rubric.references, points, rubric.alternatives, rubric.misconceptions)
        for k, point in enumerate(rubric.points):
            for lang in LANGS:
                statement = point.text(lang)
                reworded = _reworded(statement.lower() if lang == "en" else statement, lang)
                if reworded is not None:
                    out.append((_credit(rubric, k, statement, lang), _credit(rubric, k, reworded, lang)))
    return out


@pytest.mark.parametrize("aliases", [False, True])
def test_a_statement_in_other_general_words_covers_its_point(bank: Bank, aliases: bool) -> None:
    """ "the next word from the left context", "context from both directions", "双向上下文", "a bigger batch": the
    statement's claim in a learner's general words, over every key point that has such a word."""
    cases = [after >= before for before, after in _reworded_statements(bank, aliases)]
    assert len(cases) > 300
    # measured: 369/369 without aliases, 368/369 with them (before the synonyms: 363 and 366)
    assert sum(cases) >= 0.995 * len(cases), (sum(cases), len(cases))


# The ways a list of terms is joined, beyond "A, B and C": each must leave the list a list.
_JOINS: dict[str, tuple[Callable[[list[str]], str], ...]] = {
    "en": (
        lambda t: ", ".join(t[:-1]) + ", as well as " + t[-1],
        lambda t: ", ".join(t[:-2]) + " and " + t[-2] + ", plus " + t[-1],
        lambda t: ", ".join(t[:-1]) + ", along with " + t[-1],
        lambda t: ", ".join(t[:-1]) + " together with " + t[-1],
    ),
    "zh": (
        lambda t: "、".join(t[:-1]) + "及" + t[-1],
        lambda t: "、".join(t[:-1]) + "以及" + t[-1],
        lambda t: "、".join(t[:-2]) + "和" + t[-2] + "，再加上" + t[-1],
        lambda t: "、".join(t[:-1]) + "，另外还有" + t[-1],
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_list_of_the_question_s_terms_stays_a_list_however_it_is_joined(bank: Bank, lang: str) -> None:
    """ "自注意力、多头注意力和前馈网络，再加上残差连接", "…, as well as C": one alias of each key point, joined every
    way, over every question; held like a bare list (at most 0.4 and not correct)."""
    held = tried = 0
    for q in _answered(bank):
        rubric = rubric_for(q)
        question = " ".join(clean(p) for p in rubric.prompts)
        terms = []
        for point in rubric.points:
            usable = (
                a
                for a in point.aliases
                if any(map(is_cjk, a)) == (lang == "zh")
                and not phrase_pattern(a).weak
                and not phrase_pattern(a).search(question)
            )
            if (alias := next(usable, None)) is not None:
                terms.append(alias)
        if len(terms) < 3:
            continue
        for join in _JOINS[lang]:
            grade = grader.grade(rubric, join(terms) + ("。" if lang == "zh" else "."), lang)
            tried += 1
            held += grade.score <= 0.4 and grade.verdict is not Verdict.CORRECT
    assert tried > 2000
    # measured: en 2,588/2,600, zh 2,516/2,516 (before: en 130, zh 722)
    assert held >= 0.98 * tried, (held, tried)


@pytest.mark.parametrize("inside", ["shared", "whole"])
def test_an_alias_with_a_word_inside_it_is_found(bank: Bank, inside: str) -> None:
    """ "one shared K/V head" for "one K/V head": every English alias of two or more words, a qualifying word put
    after its first word, in a sentence that says something of it; the point is covered."""
    tried = covered = 0
    for q in _answered(bank):
        rubric = rubric_for(q)
        question = " ".join(clean(p) for p in rubric.prompts)
        for k, point in enumerate(rubric.points):
            for alias in point.aliases:
                words = alias.split()
                if len(words) < 2 or any(map(is_cjk, alias)) or phrase_pattern(alias).search(question):
                    continue
                if _PRIVATIVE.search(clean(alias)) or len(phrase_pattern(alias).tokens) != len(words):
                    continue
                answer = f"In practice the {words[0]} {inside} {' '.join(words[1:])} is what makes this work."
                tried += 1
                covered += k in grader.grade(rubric, answer, "en").covered
    assert tried > 5000
    # measured: 5,473 of 5,503 with either word (before the rule: 941 and 921)
    assert covered >= 0.98 * tried, (covered, tried)
