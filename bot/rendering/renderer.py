"""The Renderer the bot runs with: each drawing in a worker thread, off the event loop."""

from __future__ import annotations

import asyncio

from bot.core.documents import Deck, Drawing, StatsChart
from bot.rendering.chart import draw_stats
from bot.rendering.deck import pack_deck


class LocalRenderer:
    """Implements bot.core.ports.Renderer: matplotlib for charts, genanki for decks."""

    async def render(self, drawing: Drawing) -> bytes:
        # Drawing takes a few hundred milliseconds: keep it off the event loop.
        match drawing:
            case StatsChart():
                return await asyncio.to_thread(draw_stats, drawing)
            case Deck():
                return await asyncio.to_thread(pack_deck, drawing)
        raise TypeError(f"nothing renders {type(drawing).__name__}")  # pragma: no cover - the union is exhaustive
