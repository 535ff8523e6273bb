"""The garbage collector stays out of a grade: start-up raises its first threshold above what one grade builds."""

from __future__ import annotations

import gc
import random
from collections.abc import Iterator

import pytest

from bot.content.bank import Bank
from bot.content.schema import Question
from bot.core.grading import KeyPointGrader, rubric_for
from bot.core.grading.warmup import GEN0_THRESHOLD, freeze


@pytest.fixture
def restored_collector() -> Iterator[None]:
    before = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_freeze_raises_only_the_first_threshold(restored_collector: None) -> None:
    _, middle, oldest = gc.get_threshold()
    freeze()
    assert gc.get_threshold() == (GEN0_THRESHOLD, middle, oldest)


def _model_answer(question: Question, lang: str) -> str:
    return (question.answer.get(lang) if question.answer else None) or ""


def _long_answers(bank: Bank, lang: str, rng: random.Random) -> list[str]:
    """Bank text glued to 4,000 characters, and as many characters of words no cache has seen."""
    answered = [q for q in bank.questions if q.answered]
    glued = " ".join(_model_answer(rng.choice(answered), lang) for _ in range(40))[:4000]
    if lang == "zh":
        unseen = "，".join("".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(12)) for _ in range(310))
    else:
        unseen = " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) for _ in range(500))
    return [glued, unseen[:4000]]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_long_answer_is_graded_without_a_collection(bank: Bank, lang: str, restored_collector: None) -> None:
    # Counted, not timed: a grade whose live objects outgrow the threshold would bring the collector back into
    # the grades (before the threshold was raised, several runs per 4,000-character answer).
    rng = random.Random(11)
    questions = [q for q in bank.questions if q.answered][::40]
    grader = KeyPointGrader()
    for q in questions:  # the rubrics' own analyses are made (and kept) before counting
        grader.grade(rubric_for(q), _model_answer(q, lang))
    runs: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, middle, oldest)
    gc.callbacks.append(count)
    try:
        for q in questions:
            for answer in _long_answers(bank, lang, rng):
                gc.collect()
                runs.clear()
                grader.grade(rubric_for(q), answer)
                assert runs == [], f"{q.id}: the collector ran inside the grade of a {len(answer)}-character answer"
    finally:
        gc.callbacks.remove(count)
