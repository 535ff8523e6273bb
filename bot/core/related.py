"""Follow-up questions: the one an interviewer would ask next about the same concept.

Related means the same topic and the most shared key terms (words of the prompt, the key
points and their aliases), with a question of another topic only when its own has none left.
"""

from __future__ import annotations

from bot.content.bank import Bank
from bot.content.schema import Question
from bot.core.grading.text import clean, content_terms

# Too little in common is no follow-up at all.
MIN_SHARED = 0.08


def _terms(q: Question) -> frozenset[str]:
    words = [q.prompt.en, q.prompt.zh]
    for kp in q.key_points:
        words += [kp.en, kp.zh, *kp.aliases.en, *kp.aliases.zh]
    return frozenset(t for t in content_terms(clean(" ".join(words))) if len(t) > 1)


def _similarity(terms: dict[str, frozenset[str]], a: Question, b: Question) -> float:
    ta = terms.get(a.id) or terms.setdefault(a.id, _terms(a))
    tb = terms.get(b.id) or terms.setdefault(b.id, _terms(b))
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def related_questions(bank: Bank, q: Question, limit: int = 3) -> list[Question]:
    """The best follow-ups for `q`, most related first (computed once per bank and question)."""
    cache: dict[str, tuple[str, ...]] = bank.derived.setdefault("related", {})
    if q.id not in cache:
        cache[q.id] = _related_ids(bank, q)
    return [bank.by_id[qid] for qid in cache[q.id][:limit]]


def _related_ids(bank: Bank, q: Question, limit: int = 3) -> tuple[str, ...]:
    terms: dict[str, frozenset[str]] = bank.derived.setdefault("terms", {})
    same_topic = [o for o in bank.by_topic.get(q.topic, ()) if o.id != q.id and o.answered]
    scored = sorted(((_similarity(terms, q, o), o.id, o) for o in same_topic), key=lambda t: (-t[0], t[1]))
    found = [o for s, _, o in scored if s >= MIN_SHARED]
    if not found:  # only when its own topic has nothing related: scanning the whole bank costs more
        others = [o for o in bank.questions if o.topic != q.topic and o.answered]
        more = sorted(((_similarity(terms, q, o), o.id, o) for o in others), key=lambda t: (-t[0], t[1]))
        found += [o for s, _, o in more if s >= 2 * MIN_SHARED]
    return tuple(o.id for o in found[:limit])


def related_question(bank: Bank, q: Question) -> Question | None:
    found = related_questions(bank, q, 1)
    return found[0] if found else None
