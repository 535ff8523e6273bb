"""Start-up as a person at a terminal sees it: a "loading…" line while waiting, then the prompt."""

from __future__ import annotations

import functools
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.loading import LoadingNotice
from bot.storage.migrate import head_revision
from bot.storage.schema_version import head_from_files, stored_revision
from bot.storage.store import make_engine, open_store
from tests.ptychat import PROMPT, PtyChat

pytestmark = pytest.mark.slow


def test_a_slow_start_says_loading_before_the_first_prompt(tmp_path: Path) -> None:
    # A new data folder: the bank is parsed from YAML and the database created, well past 300 ms.
    chat = PtyChat(tmp_path, "chat")
    try:
        screen = chat.read_until(PROMPT)
        assert screen.index("loading…") < screen.index("Hi there!")
        chat.type("/quit\n")
        assert chat.proc.wait(timeout=60) == 0
    finally:
        chat.close()


def test_a_fast_start_prints_no_loading_line() -> None:
    out = io.StringIO()
    notice = LoadingNotice("loading…", out, after=5.0).start()
    notice.done()
    time.sleep(0.05)
    assert out.getvalue() == "" and not notice.shown


def test_the_head_read_from_the_files_is_alembics() -> None:
    assert head_from_files() == head_revision()


async def test_a_new_database_is_migrated_and_then_found_at_head(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert await stored_revision(engine) is None
    finally:
        await engine.dispose()
    store = await open_store(db_url)
    try:
        assert await stored_revision(store.engine) == head_revision()
    finally:
        await store.close()


# What a start that finds everything in place (the bank cached, the schema at head) must not load
# before the first prompt: migrations, the ORM behind SQLAlchemy's async engine, another
# database's dialect, the grader's machinery (loaded by the warm-up after the prompt, or the first answer),
# APScheduler (the terminal chat starts the scheduler beside its first prompt).
DEFERRED = (
    "alembic",
    "sqlalchemy.orm",
    "sqlalchemy.ext.asyncio",
    "sqlalchemy.dialects.postgresql",
    "bot.core.grading.grader",
    "bot.core.grading.credit",
    "apscheduler",
)
_BUILD = """
import asyncio, sys
from bot.bootstrap import bootstrap
from bot.settings import Settings

async def main() -> None:
    async with bootstrap(Settings()):
        print(" ".join(m for m in sys.argv[1:] if m in sys.modules) or "none")

asyncio.run(main())
"""


def test_a_warm_start_loads_nothing_it_can_leave_for_later(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "STUDYBOT_"))}
    env["STUDYBOT_DATA_DIR"] = str(tmp_path)

    def build() -> str:
        done = subprocess.run(
            [sys.executable, "-c", _BUILD, *DEFERRED], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert "alembic" in build()  # the first start creates the database: migrations run
    assert build() == "none"


async def test_the_terminal_chat_starts_the_scheduler_beside_its_first_prompt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.adapters.terminal import TerminalChat
    from bot.bootstrap import bootstrap, terminal_adapter
    from bot.launcher import run_terminal
    from bot.settings import Settings

    monkeypatch.setenv("STUDYBOT_DATA_DIR", str(tmp_path))
    settings = Settings()
    events: list[str] = []
    async with bootstrap(settings, adapters=[terminal_adapter(settings)], warm=False) as system:
        [chat] = system.adapters
        assert isinstance(chat, TerminalChat)
        start = system.scheduler.start

        async def recorded_start() -> None:
            events.append("scheduler started")
            await start()

        monkeypatch.setattr(system.scheduler, "start", recorded_start)
        out = io.StringIO()
        monkeypatch.setattr(chat, "run", functools.partial(chat.run, stdin=io.StringIO("/help\n"), stdout=out))
        await run_terminal(system, chat, lambda: events.append("waiting for input"))
        assert events == ["waiting for input", "scheduler started"]
        assert system.ready.is_set()
    assert "/quiz" in out.getvalue()
