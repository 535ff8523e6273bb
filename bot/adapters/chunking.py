"""Fitting replies into a platform's message limits, shared by the adapters.

Parts are packed into messages in order; a part too long for one message is cut at line
breaks where possible. Limits apply to the *rendered* text (escaping can multiply its length:
`&` is five characters in HTML), so pieces are cut until their rendering fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.events import Part


def cut_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at line breaks where possible."""
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    buf = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if buf:
                out.append(buf)
                buf = ""
            out.append(line[:limit])
            line = line[limit:]
        candidate = f"{buf}\n{line}" if buf else line
        if len(candidate) > limit:
            out.append(buf)
            buf = line
        else:
            buf = candidate
    if buf:
        out.append(buf)
    return out


def _fitting(part: Part, render: Callable[[Part], str], limit: int) -> list[Part]:
    if len(render(part)) <= limit:
        return [part]
    pieces = cut_text(part.text, max(1, len(part.text) // 2))
    return [fit for piece in pieces for fit in _fitting(Part(piece, part.style, part.key), render, limit)]


def pack_parts(parts: Sequence[Part], render: Callable[[Part], str], limit: int) -> list[list[Part]]:
    """Parts grouped into messages whose rendering, joined by newlines, stays within `limit`."""
    groups: list[list[Part]] = []
    current: list[Part] = []
    size = 0
    for part in parts:
        for piece in _fitting(part, render, limit):
            length = len(render(piece)) + (1 if current else 0)
            if current and size + length > limit:
                groups.append(current)
                current, size, length = [], 0, length - 1
            current.append(piece)
            size += length
    if current:
        groups.append(current)
    return groups
