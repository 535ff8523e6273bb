"""Stand-ins for what the core calls outside itself: a platform (Messenger) and the Renderer."""

from __future__ import annotations

from bot.core.documents import Deck, Drawing
from bot.core.events import ChatRef, Reply
from bot.core.ports.messaging import Messenger
from bot.core.ports.rendering import Renderer
from bot.core.sending import Delivered, Paused, SendResult


class RecordingMessenger:
    """A Messenger that keeps what it is asked to send; chats in `unreachable` refuse it."""

    def __init__(self, platform: str = "test", unreachable: set[str] | None = None) -> None:
        self.platform = platform
        self.sent: list[tuple[ChatRef, Reply]] = []
        self.unreachable = unreachable or set()

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        if chat.id in self.unreachable:
            return Paused("blocked")
        self.sent.append((chat, reply))
        return Delivered(str(len(self.sent)))

    def to(self, chat_id: str) -> list[Reply]:
        return [r for c, r in self.sent if c.id == chat_id]


class FakeRenderer:
    """Implements bot.core.ports.rendering.Renderer without drawing: a few recognisable bytes."""

    def __init__(self) -> None:
        self.drawn: list[Drawing] = []

    async def render(self, drawing: Drawing) -> bytes:
        self.drawn.append(drawing)
        return b"PK fake deck" if isinstance(drawing, Deck) else b"\x89PNG fake chart"


def _are_ports(messenger: RecordingMessenger, renderer: FakeRenderer) -> tuple[Messenger, Renderer]:
    """Never called: mypy checks here that these implement the ports."""
    return messenger, renderer
