"""Swapped facts: the shortcuts that make a long answer cheap find what the full reading finds."""

from __future__ import annotations

import random

from bot.content.bank import Bank
from bot.content.schema import Question
from bot.core.grading import rubric_for
from bot.core.grading.assertions import read
from bot.core.grading.swapped import _plain_words, _statements, _term_tokens, _unit, _word_tables
from bot.core.grading.text import clean, phrase_pattern


def test_plain_words_are_the_units_words(bank: Bank) -> None:
    """`_plain_words` (per-token tables, read once per answer) gives every statement the words `_unit` gives it,
    over model answers glued together in both languages: terms, numbers, direction words and stop words aside."""
    answered = [q for q in bank.questions if q.answered]
    rng = random.Random(5)
    checked = 0
    for _ in range(40):
        question = rng.choice(answered)
        rubric = rubric_for(question)
        matchers = [[phrase_pattern(a) for a in p.aliases] for p in rubric.points]
        for lang in ("en", "zh"):
            parts = [_answer(question, lang)] + [_answer(rng.choice(answered), lang) for _ in range(3)]
            reading = read(clean(" ".join(parts)))
            special = _term_tokens(reading, matchers)
            tables = _word_tables(reading, special)
            for start, end, _ in _statements(reading, lang):
                assert _plain_words(reading, start, end, tables) == _unit(reading, start, end, special).words
                checked += 1
    assert checked > 1000


def _answer(question: Question, lang: str) -> str:
    assert question.answer is not None
    return question.answer.get(lang) or ""
