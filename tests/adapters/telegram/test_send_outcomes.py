"""What `TelegramAdapter.send` reports for each answer the Bot API can give (README: "What a send
can end in"), through real python-telegram-bot against the fake Bot API's real error bodies."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.core.app import StudyBot
from bot.core.events import ChatRef, Part, Reply
from bot.core.sending import Delivered, Gone, Paused, Refused, Retry, Uncertain
from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi

NOTE = Reply((Part("Question of the day", "title", "daily.title"), Part("What is attention?", "plain")), lang="en")
CHAT = ChatRef("telegram", "41")


@pytest.mark.parametrize(
    ("status", "description", "expected"),
    [
        (403, "Forbidden: bot was blocked by the user", Paused),
        (403, "Forbidden: bot was kicked from the group chat", Paused),
        (403, "Forbidden: user is deactivated", Gone),
        (400, "Bad Request: chat not found", Gone),
        (400, "Bad Request: message is too long", Refused),
    ],
)
async def test_refusals(
    fake_api: FakeBotApi, quick: TelegramAdapter, status: int, description: str, expected: type
) -> None:
    fake_api.fail("sendMessage", status, description, chat_id=41)
    result = await quick.send(CHAT, NOTE)
    assert isinstance(result, expected)
    assert len(fake_api.sent("sendMessage", 41)) == 1  # none of these is tried again


async def test_delivered_carries_the_message_id(fake_api: FakeBotApi, quick: TelegramAdapter) -> None:
    result = await quick.send(CHAT, NOTE)
    assert isinstance(result, Delivered) and result.message_id
    assert fake_api.delivered == [41]


async def test_a_timeout_is_uncertain_and_never_resent(fake_api: FakeBotApi, quick: TelegramAdapter) -> None:
    fake_api.holds[41] = [1.5]  # the API takes the message but answers after the read timeout
    assert isinstance(await quick.send(CHAT, NOTE), Uncertain)
    assert len(fake_api.sent("sendMessage", 41)) == 1


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retried_then_left_for_later(
    fake_api: FakeBotApi, quick: TelegramAdapter, status: int
) -> None:
    fake_api.fail("sendMessage", status, "Internal Server Error", chat_id=41, times=4)
    assert isinstance(await quick.send(CHAT, NOTE), Retry)
    assert fake_api.delivered == []  # nothing counts as sent
    fake_api.fail("sendMessage", status, "Internal Server Error", chat_id=41)
    assert isinstance(await quick.send(CHAT, NOTE), Delivered)  # one 5xx, then the back-off's try


async def test_a_rejected_token_is_not_taken_for_a_gone_chat(fake_api: FakeBotApi, quick: TelegramAdapter) -> None:
    fake_api.fail("sendMessage", 401, "Unauthorized", chat_id=41)
    result = await quick.send(CHAT, NOTE)
    assert isinstance(result, Retry) and "token rejected" in result.reason  # nothing sent; kept for later
    assert quick.revocation.reported  # and the launcher is told: this platform stops


async def test_a_token_revoked_while_polling_is_reported_once_and_stops_cleanly(
    fake_api: FakeBotApi, studybot: StudyBot, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = TelegramAdapter(studybot, TOKEN, base_url=fake_api.base_url, poll_timeout=1)
    await adapter.start()
    try:
        fake_api.token = "654321:the-token-was-revoked"  # every call now gets 401, getUpdates first
        reason = await asyncio.wait_for(adapter.revoked(), timeout=60)
        assert reason == "Telegram rejected TELEGRAM_BOT_TOKEN while running (401 Unauthorized)"
        assert isinstance(await adapter.send(CHAT, NOTE), Retry) and fake_api.delivered == []
    finally:
        await adapter.stop()  # PTB's polling ended on the 401: stopping does not raise it again
    assert not [r for r in caplog.records if r.exc_info]  # no traceback: the launcher's one line says it


async def test_unparseable_html_is_resent_once_as_plain_text(fake_api: FakeBotApi, quick: TelegramAdapter) -> None:
    fake_api.fail("sendMessage", 400, "Bad Request: can't parse entities: unexpected end tag", chat_id=41)
    assert isinstance(await quick.send(CHAT, NOTE), Delivered)
    first, second = fake_api.sent("sendMessage", 41)
    assert first.params["parse_mode"] == "HTML" and "parse_mode" not in second.params


async def test_a_migrated_group_is_followed(fake_api: FakeBotApi, quick: TelegramAdapter) -> None:
    fake_api.fail(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": -100888},
        chat_id=-600,
    )
    assert isinstance(await quick.send(ChatRef("telegram", "-600"), NOTE), Delivered)
    assert fake_api.delivered == [-100888]
