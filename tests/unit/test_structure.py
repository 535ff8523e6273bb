"""Word salad and dumps: the structure of an answer, beyond its words."""

from __future__ import annotations

import random

from bot.content.bank import Bank
from bot.core.grading import Flag, KeyPointGrader, Verdict, rubric_for
from bot.core.grading.structure import length_factor, word_salad
from bot.core.grading.text import clean

grader = KeyPointGrader()


def test_every_model_answer_reads_as_language_not_salad(bank: Bank) -> None:
    """Fails when new Chinese answers use words the pair table does not know: regenerate it with
    `python benchmarks/zh_pairs.py` (it reads the bank)."""
    flagged = [
        (q.id, lang)
        for q in bank.answered()
        for lang in ("en", "zh")
        if word_salad(clean(q.answer.get(lang)), clean(q.answer.get(lang)))  # type: ignore[union-attr]
    ]
    assert not flagged, flagged


def test_shuffled_model_answers_are_salad(bank: Bank) -> None:
    rng = random.Random(7)
    answered = [q for n, q in enumerate(bank.answered()) if n % 9 == 0]
    caught = 0
    for q in answered:
        words = q.answer.en.split()  # type: ignore[union-attr]
        rng.shuffle(words)
        caught += word_salad(clean(" ".join(words)), clean(q.answer.en))  # type: ignore[union-attr]
    assert caught / len(answered) >= 0.95


def test_a_dump_far_longer_than_the_reference_is_graded_down(bank: Bank) -> None:
    assert length_factor(100, 50) == 1.0 and length_factor(600, 50) < 0.3
    answered = list(bank.answered())
    q = answered[0]
    dump = " ".join(o.answer.en for o in answered[1:10]) + " " + q.answer.en  # type: ignore[union-attr]
    g = grader.grade(rubric_for(q), dump, "en")
    assert Flag.TOO_LONG in g.flags and g.verdict is not Verdict.CORRECT
