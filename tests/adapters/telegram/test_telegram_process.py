"""Webhook mode, and `studybot run` as a separate process talking to the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.adapters.telegram.adapter import TelegramAdapter, WebhookConfig
from bot.core.app import StudyBot
from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi, chat, user
from tests.hardening.processes import start

RUN_STREAMS = {
    "stdin": asyncio.subprocess.DEVNULL,
    "stdout": asyncio.subprocess.PIPE,
    "stderr": asyncio.subprocess.PIPE,
}

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_mode_checks_the_secret(fake_api: FakeBotApi, studybot: StudyBot) -> None:
    port = free_port()
    hook = WebhookConfig(f"http://127.0.0.1:{port}/tg-hook", "127.0.0.1", port, "s3cret-token")
    adapter = TelegramAdapter(studybot, TOKEN, base_url=fake_api.base_url, webhook=hook)
    await adapter.start()
    try:
        [registered] = fake_api.sent("setWebhook")
        assert registered.params["url"] == hook.url and registered.params["secret_token"] == "s3cret-token"
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": chat(61),
                "from": user(61, "Web"),
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        async with aiohttp.ClientSession() as http:
            wrong = await http.post(hook.url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
            assert wrong.status == 403
            right = await http.post(
                hook.url, json={**update, "update_id": 2}, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            )
            assert right.status == 200
        texts = await fake_api.wait_for(lambda: fake_api.texts(61))
        assert len(texts) == 1 and "Hi Web" in texts[0]
    finally:
        await adapter.stop()


async def test_studybot_run_answers_start_and_stops_cleanly(fake_api: FakeBotApi, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake_api.base_url,
        "STUDYBOT_DATA_DIR": str(tmp_path),
    }
    env.pop("DISCORD_BOT_TOKEN", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_api.wait_for(lambda: fake_api.sent("setMyCommands"), timeout=60)
        fake_api.message(user(71, "Proc"), chat(71), "/start")
        texts = await fake_api.wait_for(lambda: fake_api.texts(71), timeout=30)
        assert "Hi Proc" in texts[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert TOKEN not in stderr.decode()  # the token never reaches the logs


def run_env(base_url: str, tmp_path: Path, token: str = TOKEN) -> dict[str, str]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": base_url,
        "STUDYBOT_DATA_DIR": str(tmp_path),
    }
    env.pop("DISCORD_BOT_TOKEN", None)
    return env


async def test_no_network_at_start_is_one_line_and_retried(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there yet
    proc = await start(["run"], run_env(f"http://127.0.0.1:{port}/bot", tmp_path), tmp_path, **RUN_STREAMS)
    assert proc.stderr is not None
    lines: list[str] = []
    api = FakeBotApi()
    try:
        while len([x for x in lines if "could not reach" in x]) < 2:
            line = (await asyncio.wait_for(proc.stderr.readline(), timeout=120)).decode()
            assert line, "studybot run ended: " + "".join(lines)[-2000:]
            lines.append(line)
        tries = [x for x in lines if "could not reach" in x]
        assert f"Telegram's Bot API at 127.0.0.1:{port}" in tries[0] and "retrying in 1 s" in tries[0]
        assert "retrying in 2 s" in tries[1]  # back-off
        assert not any("Traceback" in x for x in lines) and all(len(x) < 600 for x in tries)
        await api.start(port)  # the network is back: the bot carries on by itself
        await api.wait_for(lambda: api.sent("setMyCommands"), timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.communicate(), timeout=30)
        await api.stop()
    assert proc.returncode == 0


async def test_a_rejected_token_is_one_line_and_a_non_zero_exit(fake_api: FakeBotApi, tmp_path: Path) -> None:
    proc = await start(
        ["run"], run_env(fake_api.base_url, tmp_path, token="123456:WRONG-token"), tmp_path, **RUN_STREAMS
    )
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=120)
    text = stderr.decode()
    assert proc.returncode == 2, text[-2000:]
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in text and "Traceback" not in text
    assert "WRONG-token" not in text


async def test_a_token_revoked_while_running_is_one_line_and_exit_2(fake_api: FakeBotApi, tmp_path: Path) -> None:
    proc = await start(["run"], run_env(fake_api.base_url, tmp_path), tmp_path, **RUN_STREAMS)
    try:
        fake_api.message(user(72, "Proc"), chat(72), "/start")
        await fake_api.wait_for(lambda: fake_api.texts(72), timeout=60)  # running: polling and answering
        fake_api.token = "654321:the-owner-revoked-it"  # BotFather /revoke: every call now gets 401
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    finally:
        if proc.returncode is None:
            proc.kill()
    text = stderr.decode()
    assert proc.returncode == 2, text[-2000:]
    said = [line for line in text.splitlines() if "rejected TELEGRAM_BOT_TOKEN" in line]
    assert said == [
        "studybot: Telegram rejected TELEGRAM_BOT_TOKEN while running (401 Unauthorized): "
        "stopping (fix the token and start again)"
    ]
    assert "Traceback" not in text and TOKEN not in text
