"""How a chart or a deck the core describes (bot.core.documents) becomes bytes."""

from __future__ import annotations

from typing import Protocol

from bot.core.documents import Drawing


class Renderer(Protocol):
    """A chart becomes a PNG, a deck an Anki package. Called after the transaction that read the
    data has committed, never inside one (bot/rendering implements it)."""

    async def render(self, drawing: Drawing) -> bytes: ...
