"""Retired question ids (`content/retired_ids.txt`) and the question each was merged into.

A line is `old` (removed, no successor) or `old -> kept` (merged into `kept`). Learners' progress
is stored against question ids, so a merge names its successor and storage moves the old id's
rows there when the bot starts; chains (`a -> b`, later `b -> c`) resolve to the last id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

FILE = "retired_ids.txt"
_LINE = re.compile(r"^(?P<old>\S+)(?:\s*->\s*(?P<kept>\S+))?$")


@dataclass(frozen=True)
class Retired:
    ids: frozenset[str] = frozenset()
    successors: dict[str, str] = field(default_factory=dict)  # old -> kept, chains resolved
    lines: dict[str, int] = field(default_factory=dict)  # old -> its line, for problems
    malformed: tuple[tuple[int, str], ...] = ()  # (line, text) that is neither form


def read_retired(root: Path) -> Retired:
    path = root / FILE
    if not path.exists():
        return Retired()
    ids: set[str] = set()
    direct: dict[str, str] = {}
    lines: dict[str, int] = {}
    malformed: list[tuple[int, str]] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        m = _LINE.match(text)
        if m is None:
            malformed.append((n, text))
            continue
        ids.add(m["old"])
        lines.setdefault(m["old"], n)
        if m["kept"]:
            direct[m["old"]] = m["kept"]
    return Retired(frozenset(ids), {old: _last(old, direct) for old in direct}, lines, tuple(malformed))


def _last(old: str, direct: dict[str, str]) -> str:
    seen = {old}
    kept = direct[old]
    while kept in direct and kept not in seen:  # a cycle stops where it closes; the check reports it
        seen.add(kept)
        kept = direct[kept]
    return kept
