"""Feature tests run on the in-memory store (bot/core/fakes): the core, and no database.

The contract tests (tests/contract) hold the fakes to what SQLite and PostgreSQL do.
"""

from __future__ import annotations

import pytest

from bot.core.fakes import MemoryStore


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()
