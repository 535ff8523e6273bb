"""A cache of the validated bank, keyed by the content's hash, so start-up skips the YAML parser.

Parsing ~650 questions of YAML costs most of a second; the same data as JSON, validated by the
same pydantic models (in pydantic-core), costs a few dozen milliseconds. The key covers every
input of the bank (deck files, topics, retired ids) and the schema's own source, so any edit,
or a new version of the code, builds a new entry. JSON, not pickle: a cache file someone could
write must never be able to run code.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.content import schema
from bot.content.schema import Question, Topic

log = logging.getLogger(__name__)

# Bump when the cached shape changes in a way the schema's source does not show.
FORMAT = 1
KEEP = 3  # older entries beyond this many are removed


class CachedBank(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    topics: tuple[Topic, ...]
    questions: tuple[Question, ...]


def content_key(root: Path, files: list[Path]) -> str:
    """A digest of everything the bank is built from: the files' names and bytes, and the schema."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    digest.update(Path(schema.__file__).read_bytes())
    for path in [root / "topics.yaml", root / "retired_ids.txt", *files]:
        if path.exists():
            name = path.relative_to(root) if path.is_relative_to(root) else path
            digest.update(f"\n{name}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _entry(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"bank-{key[:32]}.json"


def read(cache_dir: Path, key: str) -> CachedBank | None:
    """The cached bank for `key`, or None when there is none (or it is unreadable: rebuilt)."""
    path = _entry(cache_dir, key)
    try:
        return CachedBank.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError, ValueError) as exc:
        log.warning("ignoring the bank cache %s (%s): rebuilding it", path, type(exc).__name__)
        return None


def write(cache_dir: Path, key: str, bank: CachedBank) -> None:
    """Store `bank` atomically; a read-only or full disk only costs the next start its speed."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".bank-", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(bank.model_dump_json().encode())
        os.replace(tmp, _entry(cache_dir, key))
        entries = sorted(cache_dir.glob("bank-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not write the bank cache in %s: %s", cache_dir, exc)
