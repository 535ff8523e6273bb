"""Follow-up questions: the one an interviewer would ask next about the same concept.

Related means the same topic and the most shared key terms (words of the prompt, the key
points and their aliases), with a question of another topic only when its own has none left.
"""

from __future__ import annotations

from functools import lru_cache

from bot.content.bank import Bank
from bot.content.schema import Question
from bot.core.grading.text import clean, content_terms

# Too little in common is no follow-up at all.
MIN_SHARED = 0.08


@lru_cache(maxsize=4096)
def _terms(q: Question) -> frozenset[str]:
    words = [q.prompt.en, q.prompt.zh]
    for kp in q.key_points:
        words += [kp.en, kp.zh, *kp.aliases.en, *kp.aliases.zh]
    return frozenset(t for t in content_terms(clean(" ".join(words))) if len(t) > 1)


def _similarity(a: Question, b: Question) -> float:
    ta, tb = _terms(a), _terms(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def related_questions(bank: Bank, q: Question, limit: int = 3) -> list[Question]:
    """The best follow-ups for `q`, most related first."""
    same_topic = [o for o in bank.by_topic.get(q.topic, ()) if o.id != q.id and o.answered]
    scored = sorted(((_similarity(q, o), o.id, o) for o in same_topic), key=lambda t: (-t[0], t[1]))
    found = [o for s, _, o in scored if s >= MIN_SHARED]
    if len(found) < limit:
        others = [o for o in bank.questions if o.topic != q.topic and o.answered]
        more = sorted(((_similarity(q, o), o.id, o) for o in others), key=lambda t: (-t[0], t[1]))
        found += [o for s, _, o in more if s >= 2 * MIN_SHARED]
    return found[:limit]


def related_question(bank: Bank, q: Question) -> Question | None:
    found = related_questions(bank, q, 1)
    return found[0] if found else None
