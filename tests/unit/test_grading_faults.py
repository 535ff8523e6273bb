"""Grader faults behind the labelled-answer agreement (issue 14), held as general rules over the whole bank.

Each rule's cases are generated from every question of the bank, in both languages; floors sit a little
under the shares measured when the rule went in.
"""

from __future__ import annotations

import pytest

from bot.content.bank import Bank
from bot.content.schema import Question
from bot.core.grading import KeyPointGrader, rubric_for
from bot.core.grading.rubric import Rubric
from bot.core.grading.text import clean, phrase_pattern

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
