"""Stopping and crashing: SIGTERM finishes in-flight work and exits 0 within a bound; SIGKILL loses no
answer the learner was told about."""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import pytest

from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi, chat, user
from tests.hardening.processes import bot_env, kill, query, start

pytestmark = pytest.mark.slow


def answers_in(db: Path) -> list[str]:
    return [str(row[0]) for row in query(db, "SELECT text FROM answers ORDER BY id")]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_a_stop_signal_finishes_the_reply_in_flight_closes_the_database_and_exits_0(
    tmp_path: Path, sig: signal.Signals
) -> None:
    api = FakeBotApi()
    await api.start()
    env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url)
    proc = await start(
        ["run"],
        env,
        tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await api.wait_for(lambda: api.sent("setMyCommands"), timeout=60)
        api.message(user(91, "Term"), chat(91), "/quiz")
        await api.wait_for(lambda: api.texts(91), timeout=30)
        api.hold_after = len(api.delivered)  # from now on Telegram holds the bot's messages: in flight
        api.message(user(91, "Term"), chat(91), "LoRA trains small low-rank matrices beside frozen weights.")
        await api.wait_for(lambda: api.held >= 1, timeout=30)
        proc.send_signal(sig)
        await asyncio.sleep(0.5)  # the bot is stopping, with a reply still in flight
        api.release()
        _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    finally:
        api.release()
        await kill(proc)
        await api.stop()
    log = err.decode(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    assert len(api.texts(91)) == 2 and "Score" in api.texts(91)[1]  # the held reply was delivered, not dropped
    db = tmp_path / "data" / "studybot.db"
    assert not db.with_name("studybot.db-wal").exists()  # the last connection closed: WAL checkpointed away
    assert answers_in(db) == ["LoRA trains small low-rank matrices beside frozen weights."]
    assert f"{sig.name} received" in log and "stopped" in log


async def test_stop_is_bounded_when_in_flight_work_never_finishes(tmp_path: Path) -> None:
    api = FakeBotApi()
    await api.start()
    env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, STUDYBOT_STOP_TIMEOUT="2")
    proc = await start(
        ["run"],
        env,
        tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await api.wait_for(lambda: api.sent("setMyCommands"), timeout=60)
        api.hold_after = 0  # Telegram never answers the bot's message
        api.message(user(92, "Stuck"), chat(92), "/start")
        await api.wait_for(lambda: api.held >= 1, timeout=30)
        proc.send_signal(signal.SIGTERM)
        # Not a timing assertion: a generous ceiling, far above the 2 s configured, so it cannot flake;
        # without the bound the process would wait for the held reply forever.
        _, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    finally:
        await kill(proc)
        api.release()
        await api.stop()
    log = err.decode(errors="replace")
    assert proc.returncode == 0, log[-3000:]
    assert "left unfinished" in log


async def test_sigkill_loses_no_acknowledged_answer(tmp_path: Path) -> None:
    """`studybot chat` answers a stream of answers; killed mid-stream, every graded reply it printed is stored."""
    env = bot_env(tmp_path)
    proc = await start(
        ["chat", "--user", "kim"],
        env,
        tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    answers = [f"answer-{i:03d}: attention compares queries with keys and mixes values" for i in range(200)]
    for text in answers:  # everything is queued at once: the bot is mid-stream whenever it dies
        proc.stdin.write(f"/quiz\n{text}\n".encode())
    acknowledged = 0
    try:
        while acknowledged < 25:
            line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
            assert line, "the chat ended early"
            if line.startswith(b"== Score:"):
                acknowledged += 1
    finally:
        await kill(proc)
    assert proc.returncode == -signal.SIGKILL
    # Restart: the database opens (WAL recovery), migrations are a no-op, and the answers are there.
    health = await start(["health"], env, tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await health.communicate()
    assert health.returncode == 0, (out + err).decode()
    stored = answers_in(tmp_path / "data" / "studybot.db")
    assert stored[:acknowledged] == answers[:acknowledged]  # every acknowledged answer, in order
    assert len(stored) < len(answers)  # (it really died mid-stream)
    again = await start(
        ["chat", "--user", "kim"],
        env,
        tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    shown, _ = await again.communicate(b"/topics\n")
    per_topic = [int(n) for n in re.findall(r"over (\d+) answers", shown.decode())]
    assert sum(per_topic) == len(stored), shown.decode()[-800:]  # the restarted bot sees all of them


async def test_sigkill_of_the_telegram_bot_loses_no_reply_it_sent(tmp_path: Path) -> None:
    """Against the fake Bot API: every graded reply Telegram received has its answer in the database."""
    api = FakeBotApi()
    await api.start()
    env = bot_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        STUDYBOT_ANSWERS_PER_MINUTE="0",
        STUDYBOT_LOG_LEVEL="WARNING",
    )
    proc = await start(
        ["run"],
        env,
        tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    learners = range(101, 141)
    try:
        await api.wait_for(lambda: api.sent("setMyCommands"), timeout=60)
        for uid in learners:
            api.message(user(uid, f"L{uid}"), chat(uid), "/quiz")
        await api.wait_for(lambda: all(api.texts(uid) for uid in learners), timeout=60)
        for round_no in range(5):
            for uid in learners:
                api.message(user(uid, f"L{uid}"), chat(uid), f"r{round_no}-u{uid}: low-rank adapters, frozen base")
                api.message(user(uid, f"L{uid}"), chat(uid), "/quiz")

        def graded() -> list[str]:
            return [t for uid in learners for t in api.texts(uid) if "Score" in t]

        await api.wait_for(lambda: len(graded()) >= 60, timeout=60)
    finally:
        await kill(proc)
        await api.stop()
    stored = {
        str(uid): int(str(n))
        for uid, n in query(
            tmp_path / "data" / "studybot.db",
            "SELECT i.external_id, count(*) FROM answers a JOIN identities i ON i.learner_id = a.learner_id "
            "WHERE i.platform = 'telegram' GROUP BY i.external_id",
        )
    }
    # Updates run concurrently, so which reply graded which answer is not known; but no graded reply
    # can have been sent before its answer was committed.
    acknowledged = {str(uid): sum(1 for t in api.texts(uid) if "Score" in t) for uid in learners}
    assert all(stored.get(uid, 0) >= n for uid, n in acknowledged.items()), (acknowledged, stored)
    assert sum(acknowledged.values()) >= 60 and sum(stored.values()) < 5 * len(learners)
