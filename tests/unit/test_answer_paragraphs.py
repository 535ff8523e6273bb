"""Model answers are stored as paragraphs: a line break ends a sentence or a list item, never a line
of hard-wrapped prose, so Anki (each break becomes <br>), Telegram and Discord reflow them."""

from __future__ import annotations

import re

from bot.content.bank import Bank

# A break between two words of one sentence: a letter or comma before it, a lowercase letter
# (or a Chinese character after a Chinese one / a full-width comma) after it.
MID_SENTENCE = re.compile(r"(?:[a-z,]\n[a-z])|(?:[\u4e00-\u9fff，]\n[\u4e00-\u9fff])")


def test_no_model_answer_breaks_a_sentence(bank: Bank) -> None:
    found = []
    for q in bank.answered():
        assert q.answer is not None
        for lang in ("en", "zh"):
            text = q.answer.get(lang)
            if "```" in text:  # code keeps its own lines
                continue
            found += [
                f"{q.id} ({lang}): …{text[max(0, m.start() - 30) : m.end() + 30]!r}…"
                for m in MID_SENTENCE.finditer(text)
            ]
    assert not found, "\n".join(found[:20])
