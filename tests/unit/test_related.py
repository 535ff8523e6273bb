"""Follow-ups over the whole bank: never easier, same topic first, and nearly always one to offer."""

from __future__ import annotations

from bot.content.loader import load_bank
from bot.core.related import related_questions


def test_follow_ups_go_deeper_and_stay_on_topic_over_the_whole_bank() -> None:
    bank = load_bank()
    answered = [q for q in bank.questions if q.answered]
    without = []
    for q in answered:
        found = related_questions(bank, q)
        if not found:
            without.append(q.id)
        for o in found:
            assert o.id != q.id and o.answered
            assert o.difficulty >= q.difficulty, f"{o.id} is easier than {q.id}"
        same_topic_left = [
            o for o in bank.by_topic[q.topic] if o.id != q.id and o.answered and o.difficulty >= q.difficulty
        ]
        if same_topic_left and found:
            assert found[0].topic == q.topic, f"{q.id}: {found[0].id} is off topic while its own topic has candidates"
    # Only the hardest question of a small topic may have nothing harder or equal left to ask.
    assert len(without) <= 0.02 * len(answered), without
