"""What `TelegramAdapter.send` reports for each answer the Bot API can give (README: "What a send
can end in"), through real python-telegram-bot against the fake Bot API's real error bodies."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.core.events import ChatRef, Part, Reply
from bot.core.sending import Delivered, Gone, Paused, Refused, Retry, Uncertain
from tests.adapters.telegram.fake_bot_api import FakeBotApi

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
    assert isinstance(await quick.send(CHAT, NOTE), Retry)


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
