"""`python -m bot run` as a user starts it, with the Discord settings in the environment, against the fake Discord."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.core.commands import VISIBLE
from tests.adapters.discord.fake_discord import ADMIN_PERMS, APP_ID, FakeDiscord, user_payload

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
async def test_studybot_run_connects_answers_quiz_and_stops_on_sigterm(fake: FakeDiscord, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_", "STUDYBOT_"))}
    env.update(
        DISCORD_BOT_TOKEN="fake-token",
        DISCORD_API_BASE_URL=fake.base_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
        STUDYBOT_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    log_path = tmp_path / "studybot.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )
        try:
            await fake.wait_for(lambda: fake.identifies and fake.sockets, timeout=60)
            (put,) = await fake.wait_for(lambda: fake.find("PUT", rf"/applications/{APP_ID}/commands"), timeout=10)
            assert [c["name"] for c in put.json] == list(VISIBLE)
            p = await fake.slash(
                "quiz", {"topic": "rag"}, user=user_payload(101000000000000001, "ada", "Ada"), permissions=ADMIN_PERMS
            )
            answered = await fake.wait_for(
                lambda: [r for r in fake.answers(p) if r.status == 200 and r.method in ("POST", "PATCH")], timeout=20
            )
            body = answered[-1].json.get("data", answered[-1].json)
            assert "RAG and LangChain" in body["embeds"][0]["description"]
            assert any(c["custom_id"].startswith("sba:round:") for row in body["components"] for c in row["components"])
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            try:
                code = await asyncio.wait_for(proc.wait(), timeout=30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                raise
    output = log_path.read_text(errors="replace")
    assert code == 0, output
    assert "fake-token" not in output  # the token never reaches the logs
    await fake.wait_for(lambda: not fake.sockets, timeout=5)  # the gateway was closed, not dropped
