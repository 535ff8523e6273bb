"""One styling model for every adapter: what each part style means, and each platform's mapping of it.

The core names a style per paragraph (bot.core.events.Style); here each style is an emphasis and a
mark, and each adapter says once, in a `Markup`, how its platform shows those (HTML tags, Markdown
markers, terminal escapes) and how it makes text inert. `Markup.render` is the one style switch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from bot.core.events import Part, Style


class Emphasis(Enum):
    NONE = "none"
    STRONG = "strong"  # a heading
    SUBTLE = "subtle"  # an aside
    HIDDEN = "hidden"  # shown on demand (the model answer)
    CODE = "code"


class Mark(Enum):
    NONE = "none"
    OK = "ok"  # a key point covered
    MISS = "miss"  # a key point missed
    ITEM = "item"  # one of a list


LOOK: Mapping[Style, tuple[Emphasis, Mark]] = {
    "plain": (Emphasis.NONE, Mark.NONE),
    "title": (Emphasis.STRONG, Mark.NONE),
    "spoiler": (Emphasis.HIDDEN, Mark.NONE),
    "note": (Emphasis.SUBTLE, Mark.NONE),
    "code": (Emphasis.CODE, Mark.NONE),
    "ok": (Emphasis.NONE, Mark.OK),
    "miss": (Emphasis.NONE, Mark.MISS),
    "item": (Emphasis.NONE, Mark.ITEM),
}

BULLETS: Mapping[Mark, str] = {Mark.OK: "✅ ", Mark.MISS: "❌ ", Mark.ITEM: "• "}


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Markup:
    """How one platform shows the styles: `escape` first, then the emphasis around the text, the mark before it."""

    escape: Callable[[str], str] = _same
    emphasis: Mapping[Emphasis, Callable[[str], str]] = field(default_factory=dict)
    marks: Mapping[Mark, str] = field(default_factory=dict)
    indent_marked: bool = False  # a marked paragraph's further lines line up under its text
    wrap_blank: bool = True  # False: blank text stays as it is (no empty emphasis markers)

    def render(self, part: Part) -> str:
        emphasis, mark = LOOK[part.style]
        text = self.escape(part.text)
        if not self.wrap_blank and not text.strip():
            return text
        prefix = self.marks.get(mark, "")
        if prefix and self.indent_marked:
            text = text.replace("\n", "\n" + " " * len(prefix))
        return prefix + self.emphasis.get(emphasis, _same)(text)


def wrapped(before: str, after: str) -> Callable[[str], str]:
    return lambda text: f"{before}{text}{after}"
