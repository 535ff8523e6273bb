"""What an answer is graded against: the question, the reference and the key points.

A Rubric is built from a bank question (both languages: a Chinese answer to an English
question is graded against the Chinese key points, and aliases of either language count),
or from a bare question + reference pair (the batch CLI grades questions not in the bank).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.content.schema import LANGS, Question, pattern_terms


@dataclass(frozen=True)
class RubricPoint:
    texts: dict[str, str]  # lang -> statement
    aliases: tuple[str, ...]  # every alias, both languages

    def __hash__(self) -> int:
        return hash((tuple(sorted(self.texts.items())), self.aliases))

    def text(self, lang: str) -> str:
        return self.texts.get(lang) or next(iter(self.texts.values()))


@dataclass(frozen=True)
class RubricMisconception:
    """A wrong claim: what it says, its correction, and the patterns (terms) that spot it, both languages."""

    claims: dict[str, str]
    corrections: dict[str, str]
    patterns: tuple[tuple[str, ...], ...]

    def claim(self, lang: str) -> str:
        return self.claims.get(lang) or next(iter(self.claims.values()))

    def correction(self, lang: str) -> str:
        return self.corrections.get(lang) or next(iter(self.corrections.values()))

    def __hash__(self) -> int:
        return hash(self.patterns)


@dataclass(frozen=True)
class Rubric:
    prompts: tuple[str, ...]  # the question in every language it has
    references: dict[str, str]  # lang -> reference answer
    points: tuple[RubricPoint, ...]
    # Further correct answers (a batch line's `references`): an answer matching any one is right.
    alternatives: tuple[str, ...] = ()
    misconceptions: tuple[RubricMisconception, ...] = ()

    def __hash__(self) -> int:  # rubrics key caches of what is derived from them
        return hash((self.prompts, tuple(sorted(self.references.items())), self.points, self.alternatives))

    def reference(self, lang: str) -> str:
        return self.references.get(lang) or next(iter(self.references.values()), "")

    def references_for(self, lang: str) -> tuple[str, ...]:
        """Every reference an answer in `lang` is compared with, the main one first."""
        found = [self.reference(lang), *self.alternatives]
        return tuple(r for r in dict.fromkeys(found) if r.strip())


def rubric_for(question: Question) -> Rubric:
    references: dict[str, str] = {lang: question.answer.get(lang) for lang in LANGS} if question.answer else {}
    points = tuple(
        RubricPoint(
            texts={lang: kp.text(lang) for lang in LANGS},
            aliases=tuple(dict.fromkeys((*kp.aliases.en, *kp.aliases.zh))),
        )
        for kp in question.key_points
    )
    misconceptions = tuple(
        RubricMisconception(
            claims={lang: m.claim.get(lang) for lang in LANGS},
            corrections={lang: m.correction.get(lang) for lang in LANGS},
            patterns=tuple(pattern_terms(p) for lang in LANGS for p in m.patterns.get(lang)),
        )
        for m in question.misconceptions
    )
    return Rubric(
        prompts=(question.prompt.en, question.prompt.zh),
        references=references,
        points=points,
        misconceptions=misconceptions,
    )


def rubric_from_record(record: dict[str, Any], lang: str) -> Rubric:
    """A rubric from a batch-grading line: question, reference, optional references and key_points.

    A key point may be a plain string (its own words are its alias) or an object shaped
    like the bank's (en/zh statements and aliases).
    """
    points = []
    for kp in record.get("key_points") or ():
        if isinstance(kp, str):
            points.append(RubricPoint(texts={lang: kp}, aliases=()))
        elif isinstance(kp, dict):
            texts = {k: str(v) for k, v in kp.items() if k in LANGS and v}
            aliases_raw = kp.get("aliases") or {}
            if isinstance(aliases_raw, dict):
                aliases = tuple(str(a) for v in aliases_raw.values() for a in (v or ()))
            else:
                aliases = tuple(str(a) for a in aliases_raw)
            if texts:
                points.append(RubricPoint(texts=texts, aliases=aliases))
    reference = str(record.get("reference") or "")
    more = record.get("references") or ()
    alternatives = tuple(str(r) for r in more if r and str(r) != reference) if isinstance(more, list) else ()
    return Rubric(
        prompts=(str(record.get("question") or ""),),
        references={lang: reference},
        points=tuple(points),
        alternatives=alternatives,
    )
