"""The trigram index finds exactly what comparing a word with every word of the pool finds."""

from __future__ import annotations

import gc

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.bank import Bank
from bot.core.grading import KeyPointGrader, rubric_for
from bot.core.grading.features import SoftIndex, analyse, trigrams
from bot.core.grading.rubric import Rubric, RubricPoint
from bot.core.grading.text import _phrase_pattern, clean
from bot.core.grading.warmup import warm

words = st.text(alphabet="abcdeilnorst", min_size=1, max_size=12)


def brute_force(word: str, pool: dict[str, str], among: set[str]) -> float:
    if len(word) < 4:
        return 0.0
    best = 0.0
    for term, other in pool.items():
        if term not in among or len(other) < 4 or abs(len(other) - len(word)) > 4:
            continue
        a, b = trigrams(word), trigrams(other)
        best = max(best, 2 * len(a & b) / (len(a) + len(b)))
    return best if best >= 0.5 else 0.0


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(words, words, max_size=30), words, st.data())
def test_index_matches_brute_force(pool: dict[str, str], word: str, data: st.DataObject) -> None:
    among = set(data.draw(st.lists(st.sampled_from(sorted(pool)), unique=True))) if pool else set()
    assert SoftIndex(pool).best(word, among) == brute_force(word, pool, among)


def test_warm_counts_rubrics_and_stops_when_asked() -> None:
    import threading

    rubric = Rubric(
        prompts=("What is LoRA?",),
        references={"en": "Low-rank adapters beside frozen weights.", "zh": "在冻结权重旁加低秩适配器。"},
        points=(RubricPoint(texts={"en": "low rank", "zh": "低秩"}, aliases=("low-rank", "低秩")),),
    )
    assert warm([rubric, rubric]) == 2
    stop = threading.Event()
    stop.set()
    assert warm([rubric], stop) == 0
    assert gc.isenabled()


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(words, words, max_size=30), words, st.data())
def test_dice_each_gives_every_word_sharing_a_trigram(pool: dict[str, str], word: str, data: st.DataObject) -> None:
    """The answer's index asked for a reference word: the Dice with each answer word it could match."""
    among = set(data.draw(st.lists(st.sampled_from(sorted(pool)), unique=True))) if pool else set()
    expected = {}
    for term, other in pool.items():
        a, b = trigrams(word), trigrams(other)
        if term in among and min(len(word), len(other)) >= 4 and abs(len(other) - len(word)) <= 4 and a & b:
            expected[term] = 2 * len(a & b) / (len(a) + len(b))
    found = SoftIndex(pool).dice_each(word, among)
    assert found == expected
    assert max((d for d in found.values() if d >= 0.5), default=0.0) == brute_force(word, pool, among)


def test_after_the_warm_up_grading_builds_no_matcher(bank: Bank) -> None:
    """Every alias and misconception term the grader looks for is made at start-up (and frozen), not per answer."""
    rubrics = [rubric_for(q) for q in bank.questions[::25] if q.answered]
    warm(rubrics)
    grader = KeyPointGrader()
    before = _phrase_pattern.cache_info().misses
    for rubric in rubrics:
        for lang in ("en", "zh"):
            claims = " ".join(m.claim(lang) for m in rubric.misconceptions)
            grader.grade(rubric, f"{rubric.reference(lang)} {claims}", lang)
    assert _phrase_pattern.cache_info().misses == before


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcdeilnorst 模型训练的，. 123", max_size=80), words)
def test_an_analysis_indexes_every_english_unit_and_no_chinese_one(text: str, word: str) -> None:
    # Analysis.soft_index is built from its English words alone: it must find what an index over every unit
    # finds (a Chinese unit is never softly matched).
    analysis = analyse(clean(text))
    every_unit = SoftIndex({t: analysis.words.get(t, t) for t in analysis.units})
    assert analysis.soft_index.best(word, analysis.units) == every_unit.best(word, analysis.units)
    assert analysis.soft_index.dice_each(word, analysis.units) == every_unit.dice_each(word, analysis.units)
