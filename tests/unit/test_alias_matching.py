"""Aliases are matched on stemmed tokens: every alias finds its own text, and only whole words."""

import pytest

from bot.core.grading.text import clean, phrase_pattern, weak_alias


@pytest.mark.parametrize(
    ("alias", "answer"),
    [
        ("soft probabilities", "the teacher's soft probability distribution"),
        ("O(n²)", "attention costs O(n^2)... no, O(n²) memory"),
        ("cuda:0", "everything lands on cuda:0 first"),
        ("2–4×", "a 2-4× speed-up"),
        ("low-rank", "a lowrank update"),
        ("quantize", "the weights were quantized to NF4"),
        ("低秩", "只训练低秩矩阵"),
        ("##", "WordPiece marks continuations with ##"),
    ],
)
def test_aliases_find_their_own_words(alias: str, answer: str) -> None:
    assert phrase_pattern(alias).search(clean(alias))
    assert phrase_pattern(alias).search(clean(answer))


def test_whole_words_only() -> None:
    assert not phrase_pattern("BA").search(clean("bananas are yellow"))
    assert phrase_pattern("BA").search(clean("W + BA"))
    assert not phrase_pattern("rank").search(clean("a frankly different idea"))


def test_weak_aliases_are_ignored() -> None:
    for alias in ("90%", "24×", "云", "V", "C++", "μ"):
        assert weak_alias(alias) and not phrase_pattern(alias).search(clean(alias))
    for alias in ("128K", "NF4", "云服务器", "4-bit"):
        assert not weak_alias(alias)
