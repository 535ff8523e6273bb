"""Three `studybot run` processes on one PostgreSQL behave as one bot, even when one is killed.

10,000 subscribers are due at once. Three processes (Telegram in webhook mode, so none of them
polls) share the fan-out through the ledger's SKIP LOCKED claims. One of them talks to a fake
Bot API of its own that stops answering once it has delivered its part of the first half; it is
then killed with SIGKILL. What it had claimed and not confirmed is taken over by the other two
once the lease (STUDYBOT_DELIVERY_LEASE_SECONDS) runs out. Both fakes' `delivered` logs together
must show every subscriber exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.storage.store import make_engine, open_store
from bot.storage.tables import deliveries
from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.postgres.db import fresh_schema, require_postgres
from tests.postgres.population import add_private_subscribers

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SUBSCRIBERS = 10_000
PROCESSES = 3
# Longer than a claim can wait for its send in a live process: it claims up to two 500-row
# batches ahead of its sends, and each process sends ~30-50 a second here (three bots and the
# fake on two cores). A shorter lease makes a live process take back and resend its own claims.
LEASE_SECONDS = 60


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    require_postgres()
    async with fresh_schema() as url:
        yield url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def until(predicate: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not await predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:.0f} s: {what}")
        await asyncio.sleep(0.2)


def bot_env(url: str, api: FakeBotApi, home: Path) -> dict[str, str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "TELEGRAM_", "STUDYBOT_"))}
    home.mkdir()
    return {
        **env,
        "STUDYBOT_DATABASE_URL": url,
        "STUDYBOT_DATA_DIR": str(home),
        "STUDYBOT_LOG_LEVEL": "WARNING",
        "STUDYBOT_DELIVERY_LEASE_SECONDS": str(LEASE_SECONDS),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_RATE_LIMIT": "2000",
        "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "TELEGRAM_WEBHOOK_PORT": str(port),
    }


async def start_bot(env: dict[str, str], home: Path) -> asyncio.subprocess.Process:
    with (home / "stderr.log").open("wb") as err:  # a file, not a pipe nobody reads while it runs
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=home,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=err,
        )


async def test_three_processes_deliver_to_each_subscriber_once_though_one_is_killed(
    postgres_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    if now.hour == 23 and now.minute >= 57:
        pytest.skip("the broadcast would straddle midnight UTC, when the day's deliveries end")
    store = await open_store(postgres_url)
    await add_private_subscribers(store, SUBSCRIBERS, "telegram", now - timedelta(seconds=5), now)
    await store.close()
    ledger = make_engine(postgres_url)

    async def confirmed(ids: list[int]) -> int:
        async with ledger.connect() as conn:
            q = select(func.count()).where(deliveries.c.status == "sent", deliveries.c.subscription_id.in_(ids))
            return int(await conn.scalar(q) or 0)

    shared, lonely = FakeBotApi(), FakeBotApi()  # the survivors' Bot API, and the victim's own
    await shared.start()
    await lonely.start()
    lonely.hold_after = SUBSCRIBERS // (2 * PROCESSES)  # about halfway through its part
    homes = [tmp_path / f"bot{i}" for i in range(PROCESSES)]
    envs = [bot_env(postgres_url, lonely if i == 0 else shared, home) for i, home in enumerate(homes)]
    procs: list[asyncio.subprocess.Process] = []

    def delivered() -> list[int]:
        return shared.delivered + lonely.delivered

    def stderr_tails() -> str:
        return "\n".join(f"--- {h.name}: {(h / 'stderr.log').read_text()[-1500:]}" for h in homes)

    try:
        procs = [await start_bot(env, home) for env, home in zip(envs, homes, strict=True)]
        victim = procs[0]
        await lonely.wait_for(lambda: lonely.held > 0, timeout=120)
        # Kill it once everything the platform acknowledged to it is confirmed in the ledger: the one
        # window a ledger cannot close (acknowledged, not yet written) is documented, not tested here.
        await until(
            lambda: _equals(confirmed(list(lonely.delivered)), len(lonely.delivered)),
            30,
            "the victim's acknowledged deliveries confirmed",
        )
        victim.kill()
        await victim.wait()
        await asyncio.sleep(0.3)
        lonely.release()  # what it had in flight never reached it: not delivered
        assert victim.returncode == -signal.SIGKILL
        assert 0 < len(delivered()) < SUBSCRIBERS, "the victim was killed before the broadcast ended"

        try:
            await shared.wait_for(lambda: len(set(delivered())) >= SUBSCRIBERS, timeout=240)
        except AssertionError:
            raise AssertionError(f"{len(set(delivered()))} delivered\n{stderr_tails()}") from None
        await asyncio.sleep(1.0)  # nothing more arrives
        for proc in procs[1:]:
            proc.send_signal(signal.SIGTERM)
        for proc in procs[1:]:
            assert await asyncio.wait_for(proc.wait(), timeout=60) == 0, stderr_tails()
    finally:
        for proc in procs:  # never leave a bot running after a failure
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        lonely.release()
        await shared.stop()
        await lonely.stop()

    counts = Counter(delivered())
    assert set(counts) == set(range(1, SUBSCRIBERS + 1))
    assert max(counts.values()) == 1, [c for c, n in counts.items() if n > 1][:10]
    async with ledger.connect() as conn:
        rows = (await conn.execute(select(deliveries.c.status, deliveries.c.claimed_by, deliveries.c.attempts))).all()
    await ledger.dispose()
    assert len(rows) == SUBSCRIBERS and {r.status for r in rows} == {"sent"}
    assert len({r.claimed_by for r in rows}) == PROCESSES  # all three took part
    assert any(r.attempts > 1 for r in rows)  # and the victim's unfinished claims were taken over


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected
