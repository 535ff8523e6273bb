"""People's names as the bot shows them: nothing invisible, nothing that turns the text around.

A display name is chosen by its owner and shown to a whole group, inside lines the bot writes
("1. {name}: 80/100"). Format characters (zero-width spaces and joiners, right-to-left
overrides and embeddings, the word joiner, BOMs…: Unicode category Cf), controls and line breaks
are removed where a name is stored, so a name can neither blank a line nor reorder what follows
it. Where shown, a name is wrapped in FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE, so an
Arabic or Hebrew name stays a unit and the score after it keeps its place. A name with nothing
visible left gets the fallback the caller gives ("someone" in the reader's language).
"""

from __future__ import annotations

import unicodedata

FSI = "\u2068"
PDI = "\u2069"
_DROPPED = {"Cf", "Cc", "Cs", "Co", "Cn", "Zl", "Zp"}
_BLANK = {"\u3164", "\u115f", "\u1160", "\uffa0", "\u2800"}  # Hangul fillers and the braille blank look empty


def storable_name(name: str) -> str:
    """`name` without invisible or direction-changing characters, whitespace runs collapsed."""
    kept = "".join(" " if ch.isspace() else ch for ch in name if unicodedata.category(ch) not in _DROPPED)
    return " ".join(kept.split())


MAX_SHOWN = 64  # characters of a name a line shows


def display_name(name: str, fallback: str) -> str:
    """`name` cleaned, cut to MAX_SHOWN characters and isolated for bidi; `fallback` when nothing visible is left."""
    cleaned = storable_name(name)[:MAX_SHOWN].strip()
    if not any(not ch.isspace() and ch not in _BLANK and unicodedata.category(ch)[0] != "M" for ch in cleaned):
        cleaned = fallback
    return f"{FSI}{cleaned}{PDI}"
