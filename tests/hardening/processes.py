"""`studybot` as a separate process, the way an operator runs it: environment, start, stop, kill."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This environment without any studybot, Telegram or Discord setting, data under `tmp_path`, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "STUDYBOT_"))}
    env.update(
        STUDYBOT_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""), **extra
    )
    return env


async def start(args: list[str], env: dict[str, str], cwd: Path, **streams: Any) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, cwd=cwd, env=env, **streams)


async def run_to_end(args: list[str], env: dict[str, str], cwd: Path, seconds: float = 60) -> tuple[int, str, str]:
    """Run a command that is expected to end by itself: (exit code, stdout, stderr)."""
    proc = await start(
        args, env, cwd, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=seconds)
    finally:
        await kill(proc)
    return int(proc.returncode or 0), out.decode(errors="replace"), err.decode(errors="replace")


async def kill(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL, unless it has already ended."""
    if proc.returncode is None:
        proc.kill()
        await proc.wait()


async def terminate(proc: asyncio.subprocess.Process, seconds: float = 60) -> int:
    """SIGTERM and wait for the exit code (SIGKILL and fail if it does not come)."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), timeout=seconds)
    except TimeoutError:
        await kill(proc)
        raise


def query(db: Path, sql: str) -> list[tuple[object, ...]]:
    """Read what a process left in its database (closed after, not just committed: no -wal left by us)."""
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchall()
