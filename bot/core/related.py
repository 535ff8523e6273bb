"""Follow-up questions: the one an interviewer would ask next about the same concept.

Related means: the same topic, never easier than the question it follows, and the closest in
what it is about — cosine similarity of TF-IDF weighted terms over the prompt, the key points,
their aliases and the model answer (both languages), so that rare shared terms ("GQA", "NF4")
count for more than common ones. A question of another topic is offered only when its own topic
has no candidate left, and then only when it is clearly related.
"""

from __future__ import annotations

import math
from collections import Counter

from bot.content.bank import Bank
from bot.content.schema import Question
from bot.core.grading.text import clean, content_terms

# Below this cosine, a question of another topic is no follow-up at all.
MIN_OTHER_TOPIC = 0.12

Vector = dict[str, float]


def _terms(q: Question) -> Counter[str]:
    words = [q.prompt.en, q.prompt.zh]
    for kp in q.key_points:
        words += [kp.en, kp.zh, *kp.aliases.en, *kp.aliases.zh]
    if q.answer is not None:
        words += [q.answer.en, q.answer.zh]
    return Counter(t for t in content_terms(clean(" ".join(words))) if len(t) > 1)


def warm(bank: Bank) -> None:
    """Compute the bank's vectors now (start-up, in a thread) rather than at the first weak answer."""
    _vectors(bank)


def _vectors(bank: Bank) -> dict[str, Vector]:
    """Unit-length TF-IDF vectors of every answered question, computed once per bank."""
    cached: dict[str, Vector] | None = bank.derived.get("related_vectors")
    if cached is not None:
        return cached
    counts = {q.id: _terms(q) for q in bank.answered()}
    df: Counter[str] = Counter()
    for c in counts.values():
        df.update(c.keys())
    n = len(counts)
    vectors: dict[str, Vector] = {}
    for qid, c in counts.items():
        v = {t: (1 + math.log(k)) * math.log((1 + n) / (1 + df[t])) for t, k in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors[qid] = {t: x / norm for t, x in v.items()}
    bank.derived["related_vectors"] = vectors
    return vectors


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def related_questions(bank: Bank, q: Question, limit: int = 3) -> list[Question]:
    """The best follow-ups for `q`, most related first (computed once per bank and question)."""
    cache: dict[str, tuple[str, ...]] = bank.derived.setdefault("related", {})
    if q.id not in cache:
        cache[q.id] = _related_ids(bank, q)
    return [bank.by_id[qid] for qid in cache[q.id][:limit]]


def _ranked(vectors: dict[str, Vector], q: Question, candidates: list[Question]) -> list[tuple[float, Question]]:
    own = vectors.get(q.id, {})
    scored = [(_cosine(own, vectors.get(o.id, {})), o) for o in candidates]
    return sorted(scored, key=lambda t: (-t[0], t[1].id))


def _related_ids(bank: Bank, q: Question, limit: int = 3) -> tuple[str, ...]:
    vectors = _vectors(bank)

    def eligible(o: Question) -> bool:
        # Never easier: a follow-up goes deeper into the concept, not back to the basics.
        return o.id != q.id and o.answered and o.difficulty >= q.difficulty

    same = [(s, o) for s, o in _ranked(vectors, q, [o for o in bank.by_topic.get(q.topic, ()) if eligible(o)]) if s > 0]
    if len(same) < limit:  # only then: scanning the whole bank costs more
        others = [o for o in bank.questions if o.topic != q.topic and eligible(o)]
        same += [(s, o) for s, o in _ranked(vectors, q, others) if s >= MIN_OTHER_TOPIC]
    return tuple(o.id for _, o in same[:limit])


def related_question(bank: Bank, q: Question) -> Question | None:
    found = related_questions(bank, q, 1)
    return found[0] if found else None
