"""Exactly once across a crash: `studybot run` is killed with SIGKILL mid-broadcast and restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.storage.store import open_store, sqlite_url
from bot.storage.tables import chats, learners, subscriptions
from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.hardening.processes import start

RUN_STREAMS = {
    "stdin": asyncio.subprocess.DEVNULL,
    "stdout": asyncio.subprocess.DEVNULL,
    "stderr": asyncio.subprocess.PIPE,
}

pytestmark = pytest.mark.slow

SUBSCRIBERS = 3000


async def make_subscribers(db: Path, n: int) -> None:
    store = await open_store(sqlite_url(db))
    now = datetime.now(UTC)
    async with store.transaction() as tx:
        conn = tx.conn
        await conn.execute(
            insert(learners),
            [
                {"id": i, "name": f"user{i}", "lang": "en", "lang_set": False, "tz": "UTC", "created_at": now}
                for i in range(1, n + 1)
            ],
        )
        await conn.execute(
            insert(chats),
            [
                {
                    "id": i,
                    "platform": "telegram",
                    "external_id": str(i),
                    "kind": "private",
                    "active": True,
                    "created_at": now,
                }
                for i in range(1, n + 1)
            ],
        )
        await conn.execute(
            insert(subscriptions),
            [
                {
                    "chat_id": i,
                    "learner_id": i,
                    "hour": 0,
                    "minute": 0,
                    "tz": "UTC",
                    "days": "mon,tue,wed,thu,fri,sat,sun",
                    "active": True,
                    "next_due_at": now - timedelta(seconds=5),
                    "created_at": now,
                }
                for i in range(1, n + 1)
            ],
        )
    await store.close()


def confirmed(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute("select count(*) from deliveries where status = 'sent'").fetchone()[0])


async def test_sigkill_mid_broadcast_then_restart_delivers_each_subscriber_once(tmp_path: Path) -> None:
    if datetime.now(UTC).hour == 23 and datetime.now(UTC).minute >= 58:
        pytest.skip("the broadcast would straddle midnight UTC, when the day's deliveries end")
    db = tmp_path / "studybot.db"
    await make_subscribers(db, SUBSCRIBERS)
    api = FakeBotApi()
    await api.start()
    api.hold_after = SUBSCRIBERS // 2
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "STUDYBOT_DB": str(db),
        "STUDYBOT_DATA_DIR": str(tmp_path),
        "TELEGRAM_RATE_LIMIT": "2000",
        "STUDYBOT_DELIVERY_LEASE_SECONDS": "3",
        "STUDYBOT_LOG_LEVEL": "WARNING",
    }
    env.pop("DISCORD_BOT_TOKEN", None)
    procs: list[asyncio.subprocess.Process] = []
    try:
        first = await start(["run"], env, tmp_path, **RUN_STREAMS)
        procs.append(first)
        await api.wait_for(lambda: api.held > 0, timeout=300)
        # Kill it once every delivery the platform acknowledged is confirmed in the ledger: the one
        # window a ledger cannot close (acknowledged, not yet written) is documented, not tested.
        await api.wait_for(lambda: confirmed(db) >= len(api.delivered), timeout=60)
        first.kill()
        await first.wait()
        await asyncio.sleep(0.3)
        api.release()  # what was in flight when it died never reached the bot: not delivered
        assert first.returncode == -signal.SIGKILL
        halfway = len(api.delivered)
        assert SUBSCRIBERS // 2 <= halfway < SUBSCRIBERS

        api.hold_after = None
        second = await start(["run"], env, tmp_path, **RUN_STREAMS)
        procs.append(second)
        try:
            await api.wait_for(lambda: len(set(api.delivered)) >= SUBSCRIBERS, timeout=300)
        except AssertionError:
            second.kill()
            _, err = await second.communicate()
            raise AssertionError(f"{len(set(api.delivered))} delivered; {err.decode()[-3000:]}") from None
        await asyncio.sleep(1.0)  # nothing more arrives
        second.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(second.communicate(), timeout=60)
        assert second.returncode == 0, stderr.decode()[-3000:]
    finally:
        for proc in procs:  # never leave a bot running after a failure
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
        api.release()
        await api.stop()
    counts = Counter(api.delivered)
    assert set(counts) == set(range(1, SUBSCRIBERS + 1))
    assert max(counts.values()) == 1, [c for c, n in counts.items() if n > 1][:10]
