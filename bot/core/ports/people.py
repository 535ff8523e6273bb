"""Learners, chats and the link codes that make one learner of two platform identities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.events import ChatKind, ChatRef, UserRef


@dataclass(frozen=True)
class Learner:
    id: int
    name: str
    lang: str
    tz: str
    lang_set: bool = False  # chosen with /lang (else it follows the platform's locale)


@dataclass(frozen=True)
class Chat:
    id: int
    ref: ChatRef
    kind: ChatKind
    lang: str | None = None
    tz: str | None = None


class LearnerRepo(Protocol):
    async def resolve(self, user: UserRef, name: str, lang: str | None, now: datetime) -> Learner:
        """The learner behind `user` (created on first sight); the name and an unpinned language follow the platform."""
        ...

    async def get(self, learner_id: int) -> Learner | None: ...
    async def set_lang(self, learner_id: int, lang: str) -> None: ...
    async def set_tz(self, learner_id: int, tz: str) -> None: ...
    async def identities(self, learner_id: int) -> list[UserRef]: ...
    async def merge(self, source_id: int, target_id: int) -> None:
        """Move everything of learner `source_id` to `target_id`, then delete the source."""
        ...

    async def detach(self, user: UserRef, name: str, now: datetime) -> Learner:
        """Give `user` a learner of its own again, taking that platform's answers and a copy of the cards."""
        ...

    async def delete(self, learner_id: int) -> None:
        """Forget the learner: identities, answers, cards, sessions, round answers, codes, appeals."""
        ...


class ChatRepo(Protocol):
    async def resolve(self, ref: ChatRef, kind: ChatKind, now: datetime) -> Chat:
        """The chat behind `ref` (created on first sight, made active again if it was not)."""
        ...

    async def get(self, chat_id: int) -> Chat | None: ...
    async def find(self, ref: ChatRef) -> Chat | None: ...
    async def set_active(self, ref: ChatRef, active: bool) -> bool: ...
    async def move(self, old: ChatRef, new: ChatRef) -> bool:
        """A chat got a new id on its platform (a Telegram group became a supergroup)."""
        ...

    async def set_lang(self, chat_id: int, lang: str) -> None: ...
    async def set_tz(self, chat_id: int, tz: str) -> None: ...


class LinkRepo(Protocol):
    async def create(self, code: str, learner_id: int, platform: str, expires_at: datetime) -> None: ...
    async def owner(self, code: str) -> int | None: ...
    async def take(self, code: str, now: datetime) -> tuple[int, str] | None:
        """Use a code once: (learner id, platform) if it exists, is unexpired and unused."""
        ...
