"""The optional semantic signal loads from the installed wheel (the socket guard forbids any download)."""

from __future__ import annotations

import pytest

pytest.importorskip("wordllama")

from bot.core.grading.semantic import Semantic, available


def test_loads_offline_and_ranks_a_paraphrase_above_an_unrelated_answer() -> None:
    assert available()
    sem = Semantic()
    reference = "lora trains low-rank matrices beside the frozen pretrained weights"
    paraphrase = "only two small matrices whose product has low rank are trained; the base model stays frozen"
    unrelated = "the cat sat on the mat and watched the rain"
    assert sem.similarity(paraphrase, reference) > sem.similarity(unrelated, reference) + 0.2
    assert sem.similarity("", reference) == 0.0
    assert sem.similarity(paraphrase, reference) == sem.similarity(paraphrase, reference)  # deterministic
