"""Logging: one line per event (text or JSON), and no token or webhook secret in any output.

The subprocess tests run `studybot run` at DEBUG level — where python-telegram-bot logs its API
URL (it contains the token) and every API call's parameters (the webhook secret among them), and
httpx every polling request's URL — and grep everything the process wrote.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.adapters.telegram.adapter import default_secret
from bot.logging_setup import REDACTED, Redactor, configure
from tests.adapters.discord.fake_discord import ADMIN_PERMS, FakeDiscord, user_payload
from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi, chat, user
from tests.adapters.telegram.test_telegram_process import free_port
from tests.hardening.processes import bot_env, run_to_end, start, terminate

DISCORD_TOKEN = "MTAxMDAwMDAwMDAwMDAwMDAx.GhJkLm.abcdefghijklmnopqrstuvwxyz0123456789ABCD"
WEBHOOK_SECRET = "hook-secret-0123456789"


# -- in process: the redactor and the formats ------------------------------------------------------


def test_redactor_replaces_known_secrets_and_secret_shapes() -> None:
    redact = Redactor([TOKEN, "s3cret-value"])
    assert (
        redact(f"GET https://api.telegram.org/bot{TOKEN}/getMe") == f"GET https://api.telegram.org/bot{REDACTED}/getMe"
    )
    assert "s3cret" not in redact("secret_token=s3cret-value") and "s3cret" not in redact(
        "x=s3cret%2Dvalue".replace("%2D", "-")
    )
    assert TOKEN not in redact("url=" + "123456%3ATEST-token-never-real")
    other_telegram = "7012345678:AAH" + "x" * 32
    other_discord = "MTA5ODc2NTQzMjEwOTg3NjU0.Gx1y2z.abcdefghijklmnopqrstuvwxyz0123456789"
    for text in (
        f"bot{other_telegram}/send",
        f"token {other_discord}",
        "Authorization: Bot abc.def.ghi",
        "postgresql+asyncpg://bot:hunter2@db:5432/studybot",
        "X-Telegram-Bot-Api-Secret-Token: zzz",
    ):
        out = redact(text)
        assert REDACTED in out and not any(
            s in out for s in (other_telegram, other_discord, "abc.def", "hunter2", "zzz")
        ), out
    assert redact("nothing secret here: 12:30, user 42") == "nothing secret here: 12:30, user 42"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level, factory, hook = list(root.handlers), root.level, logging.getLogRecordFactory(), sys.excepthook
    yield
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)
    logging.setLogRecordFactory(factory)
    sys.excepthook = hook
    logging.captureWarnings(False)


def _emit(capsys: pytest.CaptureFixture[str], json_lines: bool) -> list[str]:
    configure("INFO", json_lines=json_lines, secrets=[TOKEN])
    log = logging.getLogger("bot.test")
    log.info("plain event for chat %s", 42, extra={"chat": "telegram:42"})
    try:
        raise RuntimeError(f"failed calling https://x/bot{TOKEN}/getMe\nsecond line")
    except RuntimeError:
        log.exception("with a traceback")
    log.warning("token in the message: %s", TOKEN)
    err = capsys.readouterr().err
    assert TOKEN not in err
    return err.splitlines()


def test_text_lines_one_per_event_even_with_a_traceback(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    lines = _emit(capsys, json_lines=False)
    assert len(lines) == 3, lines
    assert "INFO bot.test: plain event for chat 42" in lines[0]
    assert "Traceback" in lines[1] and "RuntimeError" in lines[1] and REDACTED in lines[1]
    assert lines[2].endswith(f"token in the message: {REDACTED}")


def test_json_lines_carry_level_logger_extras_and_exception(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    events = [json.loads(line) for line in _emit(capsys, json_lines=True)]
    assert [e["level"] for e in events] == ["INFO", "ERROR", "WARNING"]
    assert events[0]["msg"] == "plain event for chat 42" and events[0]["chat"] == "telegram:42"
    assert events[0]["logger"] == "bot.test" and events[0]["ts"].endswith("Z")
    assert "RuntimeError" in events[1]["exc"] and REDACTED in events[1]["exc"]


def test_records_are_redacted_for_every_handler_not_only_ours(restore_logging: None) -> None:
    configure("INFO", secrets=[TOKEN])
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage() + (record.exc_text or ""))

    logging.getLogger("httpx").addHandler(keep := Keep())
    try:
        logging.getLogger("httpx").warning('HTTP Request: POST http://127.0.0.1/bot%s/getUpdates "200 OK"', TOKEN)
    finally:
        logging.getLogger("httpx").removeHandler(keep)
    assert seen and TOKEN not in seen[0] and REDACTED in seen[0]


# -- subprocesses: the real adapters, DEBUG level, everything grepped ------------------------------


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return bot_env(tmp_path, STUDYBOT_LOG_LEVEL="DEBUG", **extra)


async def _run_until(env: dict[str, str], cwd: Path, log: Path, until: object) -> tuple[int, str]:
    """Start `studybot run`, await `until`, send SIGTERM; (exit code, everything it wrote)."""
    with log.open("wb") as out:
        proc = await start(["run"], env, cwd, stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)
        try:
            await until  # type: ignore[misc]
        finally:
            code = await terminate(proc)
    return code, log.read_bytes().decode("utf-8", errors="replace")  # noqa: ASYNC240 (the process has ended)


@pytest.mark.slow
async def test_telegram_webhook_run_at_debug_logs_json_without_token_or_secret(tmp_path: Path) -> None:
    api = FakeBotApi()
    await api.start()
    port = free_port()
    hook = f"http://127.0.0.1:{port}/tg-hook"
    env = _env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        TELEGRAM_WEBHOOK_URL=hook,
        TELEGRAM_WEBHOOK_LISTEN="127.0.0.1",
        TELEGRAM_WEBHOOK_PORT=str(port),
        TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STUDYBOT_LOG_JSON="true",
    )

    async def conversation() -> None:
        await api.wait_for(lambda: api.webhook, timeout=60)
        # PTB registers the webhook a moment before its listener accepts connections.
        for _ in range(500):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.02)
            else:
                writer.close()
                break
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": chat(81),
                "from": user(81, "Log"),
                "text": "/start",
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        async with aiohttp.ClientSession() as http:
            # PTB may call setWebhook a moment before its listener accepts connections (Telegram
            # itself retries a refused delivery): wait for the port like Telegram would.
            for _ in range(100):
                try:
                    wrong = await http.post(hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                    break
                except aiohttp.ClientConnectorError:
                    await asyncio.sleep(0.1)
            assert wrong.status == 403
            right = await http.post(
                hook, json={**update, "update_id": 2}, headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
            )
            assert right.status == 200
        await api.wait_for(lambda: api.texts(81), timeout=30)

    try:
        code, output = await _run_until(env, tmp_path, tmp_path / "log", conversation())
    finally:
        await api.stop()
    assert code == 0, output[-3000:]
    assert api.webhook is not None and api.webhook["secret_token"] == WEBHOOK_SECRET  # it was really used ...
    for secret in (TOKEN, WEBHOOK_SECRET, TOKEN.split(":")[1]):
        assert secret not in output  # ... and never written
    events = [json.loads(line) for line in output.splitlines() if line.strip()]
    assert {"ts", "level", "logger", "msg"} <= set(events[0])
    assert any(REDACTED in e["msg"] for e in events if e["logger"] == "telegram.ext.ExtBot")  # the URL was there
    assert {e["level"] for e in events} >= {"DEBUG", "INFO"}


@pytest.mark.slow
async def test_a_rejected_telegram_token_fails_in_one_line_without_the_token(tmp_path: Path) -> None:
    api = FakeBotApi(token="999:some-other-token")  # answers 401 to our token
    await api.start()
    env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url)
    try:
        code, out, err = await run_to_end(["run"], env, tmp_path)
    finally:
        await api.stop()
    output = out + err
    assert code == 2, output[-2000:]  # the README: a rejected token is a configuration error, exit 2
    assert TOKEN not in output and default_secret(TOKEN) not in output
    last = err.strip().splitlines()[-1]
    assert last.startswith("studybot: ") and "token" in last.lower(), last


@pytest.mark.slow
async def test_discord_run_at_debug_never_writes_the_token(tmp_path: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    env = _env(
        tmp_path,
        DISCORD_BOT_TOKEN=DISCORD_TOKEN,
        DISCORD_API_BASE_URL=fake.base_url,
        DISCORD_GATEWAY_URL=fake.gateway_url,
    )

    async def conversation() -> None:
        await fake.wait_for(lambda: fake.identifies and fake.sockets, timeout=60)
        await fake.wait_for(lambda: fake.find("PUT"), timeout=20)
        p = await fake.slash("quiz", user=user_payload(101000000000000009, "lg", "Lg"), permissions=ADMIN_PERMS)
        await fake.wait_for(lambda: [r for r in fake.answers(p) if r.status == 200], timeout=20)

    try:
        code, output = await _run_until(env, tmp_path, tmp_path / "log", conversation())
    finally:
        await fake.close()
    assert code == 0, output[-3000:]
    assert any(DISCORD_TOKEN in json.dumps(i) for i in fake.identifies)  # it was really sent ...
    for secret in (DISCORD_TOKEN, DISCORD_TOKEN.split(".")[2]):
        assert secret not in output  # ... and never written
    assert len(output.splitlines()) > 5 and all(" " in line for line in output.splitlines())
