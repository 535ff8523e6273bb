"""In-memory implementations of every port, for tests that need the core and no database.

`MemoryStore` keeps rows in dictionaries and gives each transaction a copy it commits on success
and drops on an exception, one transaction at a time (as SQLite does). The repositories follow
the SQL ones' semantics, cascades included (forgetting a learner, a chat moving); the contract
tests (tests/contract) run the same cases against both, so a feature test on the fakes says
what it would say on SQLite or PostgreSQL. `RecordingMessenger` and `FakeRenderer` stand in for
an adapter and for bot/rendering.
"""

from bot.core.fakes.outside import FakeRenderer, RecordingMessenger
from bot.core.fakes.store import MemoryStore, MemoryTx

__all__ = ["FakeRenderer", "MemoryStore", "MemoryTx", "RecordingMessenger"]
