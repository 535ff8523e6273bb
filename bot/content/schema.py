"""The question bank's schema: what one deck file may contain.

These pydantic models are both the validator for `content/` and the typed, immutable
objects the rest of the bot reads. Field rules live here so that `studybot content check`,
the loader and `content/README.md` never disagree.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SOURCE_PATTERN = r"^[\w.-]+:\d+$"
# A Telegram poll option holds at most 100 characters; every choice must fit one.
CHOICE_MAX = 100

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A follow-up button carries its question's id ("fu:<id>"): it must fit Telegram's 64-byte callback data.
QUESTION_ID_MAX = 60
QuestionId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=QUESTION_ID_MAX)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Text(_Frozen):
    """The same text in both languages."""

    en: NonEmpty
    zh: NonEmpty

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Aliases(_Frozen):
    """Words or phrases that count as mentioning a key point, per language."""

    en: tuple[NonEmpty, ...] = Field(min_length=1)
    zh: tuple[NonEmpty, ...] = Field(min_length=1)

    def get(self, lang: str) -> tuple[str, ...]:
        return self.zh if lang == "zh" else self.en


class KeyPoint(_Frozen):
    """A short statement a good answer must contain; the grader's rubric line."""

    en: NonEmpty
    zh: NonEmpty
    aliases: Aliases

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class ChoiceText(_Frozen):
    en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=CHOICE_MAX)]
    zh: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=CHOICE_MAX)]

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class Choice(_Frozen):
    """Material for multiple choice: one true statement and three clearly wrong ones."""

    correct: ChoiceText
    distractors: tuple[ChoiceText, ...] = Field(min_length=3, max_length=3)

    @model_validator(mode="after")
    def _distinct(self) -> Choice:
        for lang in LANGS:
            texts = [self.correct.get(lang)] + [d.get(lang) for d in self.distractors]
            if len({t.casefold() for t in texts}) != len(texts):
                raise ValueError(f"choices repeat themselves in {lang}")
        return self


# A misconception pattern: one to four terms joined by " + "; it matches where one clause of an
# answer asserts every term (a negated or doubted clause does not count).
PATTERN_SEP = "+"
MAX_PATTERN_TERMS = 4


def pattern_terms(pattern: str) -> tuple[str, ...]:
    """The terms of a misconception pattern: "LoRA + quantizes" -> ("LoRA", "quantizes")."""
    return tuple(t.strip() for t in pattern.split(PATTERN_SEP))


class Misconception(_Frozen):
    """A wrong claim candidates often make. An answer asserting it loses credit and is told why."""

    claim: Text
    correction: Text
    patterns: Aliases

    @field_validator("patterns")
    @classmethod
    def _pattern_shape(cls, v: Aliases) -> Aliases:
        for lang in LANGS:
            for pattern in v.get(lang):
                terms = pattern_terms(pattern)
                if not all(terms) or len(terms) > MAX_PATTERN_TERMS:
                    raise ValueError(
                        f"{lang} pattern {pattern!r}: 1 to {MAX_PATTERN_TERMS} non-empty terms joined by ' + '"
                    )
        return v


class Question(_Frozen):
    id: QuestionId
    topic: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    difficulty: Literal[1, 2, 3]
    prompt: Text
    answer: Text | None = None
    answer_origin: Literal["seed", "seed-edited", "authored"] | None = None
    key_points: tuple[KeyPoint, ...] = ()
    misconceptions: tuple[Misconception, ...] = Field(default=(), max_length=3)
    choice: Choice | None = None
    # Where it came from: seed lines for imported questions; `refs` (papers, official docs) for new ones.
    source: tuple[Annotated[str, StringConstraints(pattern=SOURCE_PATTERN)], ...] = ()
    refs: tuple[NonEmpty, ...] = ()
    tags: tuple[NonEmpty, ...] = ()

    @field_validator("key_points")
    @classmethod
    def _key_point_count(cls, v: tuple[KeyPoint, ...]) -> tuple[KeyPoint, ...]:
        if v and not 3 <= len(v) <= 7:
            raise ValueError(f"a question has 3 to 7 key points, not {len(v)}")
        return v

    @model_validator(mode="after")
    def _answered_consistently(self) -> Question:
        if self.answer is not None and not self.key_points:
            raise ValueError("an answered question needs 3 to 7 key points")
        if self.answer is None and self.answer_origin is not None:
            raise ValueError("answer_origin is set but there is no answer")
        if self.answer is not None and self.answer_origin is None:
            raise ValueError("answer_origin is required with an answer (seed, seed-edited or authored)")
        if not self.source and not self.refs:
            raise ValueError("a question needs its `source` (seed lines) or its `refs` (papers, official docs)")
        if self.misconceptions and self.answer is None:
            raise ValueError("misconceptions need a model answer to correct them against")
        return self

    @property
    def answered(self) -> bool:
        return self.answer is not None


class Deck(_Frozen):
    """One YAML file: a list of questions."""

    questions: tuple[Question, ...]


class Topic(_Frozen):
    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    name: Text


_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Collapse runs of white space: used when comparing prompts for near-duplicates."""
    return _WS.sub(" ", text).strip()
