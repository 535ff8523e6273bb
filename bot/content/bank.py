"""The loaded question bank: immutable, indexed, ready for the core."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from bot.content.schema import Question, Topic


@dataclass(frozen=True)
class Bank:
    topics: tuple[Topic, ...]
    questions: tuple[Question, ...]
    # Retired id -> the question it was merged into (content/retired_ids.txt), chains resolved.
    successors: Mapping[str, str] = field(default_factory=dict, hash=False)
    by_id: Mapping[str, Question] = field(init=False, repr=False)
    by_topic: Mapping[str, tuple[Question, ...]] = field(init=False, repr=False)
    # Values derived from this bank (related questions, term sets): computed once, kept with it.
    derived: dict[str, Any] = field(init=False, repr=False, compare=False, hash=False, default_factory=dict)

    def __post_init__(self) -> None:
        by_topic: dict[str, list[Question]] = {t.id: [] for t in self.topics}
        for q in self.questions:
            by_topic.setdefault(q.topic, []).append(q)
        object.__setattr__(self, "by_id", MappingProxyType({q.id: q for q in self.questions}))
        object.__setattr__(self, "by_topic", MappingProxyType({k: tuple(v) for k, v in by_topic.items()}))

    def topic(self, topic_id: str) -> Topic | None:
        for t in self.topics:
            if t.id == topic_id:
                return t
        return None

    def find_topic(self, text: str) -> Topic | None:
        """The topic `/quiz <text>` means: by id, or by a case-insensitive prefix of its id or either name."""
        needle = text.strip().casefold()
        if not needle:
            return None
        exact = self.topic(needle)
        if exact is not None:
            return exact
        for t in self.topics:
            if any(n.startswith(needle) for n in _names(t)) or needle in t.name.zh:
                return t
        return None

    def search_topics(self, text: str) -> list[Topic]:
        """Topics whose id or either name contains `text` (case-insensitive), for suggestions; all if blank."""
        needle = text.strip().casefold()
        return [t for t in self.topics if not needle or any(needle in n for n in _names(t))]

    def successor(self, question_id: str) -> str | None:
        """The question a retired id was merged into, if it was merged (and not just removed)."""
        return self.successors.get(question_id)

    def answered(self) -> Iterable[Question]:
        return (q for q in self.questions if q.answered)


def _names(topic: Topic) -> tuple[str, str, str]:
    return (topic.id, topic.name.en.casefold(), topic.name.zh.casefold())
