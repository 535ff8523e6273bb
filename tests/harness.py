"""A conversation harness: `await harness.say("/quiz")`, then assert on the replies."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.content.schema import Question
from bot.core.actions import Action, Invalid, decode
from bot.core.app import StudyBot
from bot.core.events import ChatKind, ChatRef, Incoming, Reply, UserRef


@dataclass
class Harness:
    bot: StudyBot
    platform: str = "test"
    user_id: str = "u1"
    user_name: str = "Ada"
    chat_id: str | None = None
    chat_kind: ChatKind = ChatKind.PRIVATE
    locale: str | None = None
    is_admin: bool = False
    history: list[Reply] = field(default_factory=list)

    def as_user(self, user_id: str, name: str | None = None, **changes: object) -> Harness:
        """Another person in the same chat (same bot, same database)."""
        return Harness(
            self.bot,
            self.platform,
            user_id,
            name or user_id,
            self.chat_id or self.user_id,
            self.chat_kind,
            str(changes["locale"]) if "locale" in changes else self.locale,
            bool(changes.get("is_admin", False)),
        )

    def incoming(self, text: str = "", action: Action | Invalid | None = None, addressed: bool = False) -> Incoming:
        return Incoming(
            chat=ChatRef(self.platform, self.chat_id or self.user_id),
            user=UserRef(self.platform, self.user_id),
            user_name=self.user_name,
            chat_kind=self.chat_kind,
            locale=self.locale,
            text=text,
            action=action,
            addressed=addressed,
            is_admin=self.is_admin,
        )

    async def say(self, text: str, *, addressed: bool = False) -> list[Reply]:
        replies = await self.bot.handle(self.incoming(text, addressed=addressed))
        self.history.extend(replies)
        return replies

    async def press(self, action: Action | str) -> list[Reply]:
        """Press a button: its action, or a raw payload as a platform would hand it over."""
        replies = await self.bot.handle(self.incoming(action=decode(action) if isinstance(action, str) else action))
        self.history.extend(replies)
        return replies

    def question_of(self, reply: Reply) -> Question:
        """The bank question a question reply asks (by its prompt text)."""
        for q in self.bot.bank.questions:
            if any(p.text in (q.prompt.en, q.prompt.zh) for p in reply.parts):
                return q
        raise AssertionError(f"no bank question in {reply.plain()!r}")


def keys(replies: list[Reply]) -> list[str]:
    return [k for r in replies for k in r.keys]


def text(replies: list[Reply]) -> str:
    return "\n".join(r.plain() for r in replies)
