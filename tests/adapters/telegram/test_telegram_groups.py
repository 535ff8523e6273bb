"""Group rounds through the real python-telegram-bot against the fake Bot API: fair, live, closed when closed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.content.bank import Bank
from bot.content.schema import Question
from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.core.events import ChatKind, ChatRef
from tests.adapters.telegram.fake_bot_api import BOT_ID, TOKEN, FakeBotApi, chat, user

GROUP_ID = -100700
GROUP = chat(GROUP_ID, "supergroup")
STARTER, BOB = user(41, "Starter"), user(42, "Bob")
ANONYMOUS_ADMIN = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
NEVER_STARTED = "Forbidden: bot can't initiate conversation with a user"


@pytest.fixture
async def quick(fake_api: FakeBotApi, studybot: StudyBot) -> AsyncIterator[TelegramAdapter]:
    """The adapter with live edits at most every 0.3 s (the real pace is every 6 s)."""
    adapter = TelegramAdapter(studybot, TOKEN, base_url=fake_api.base_url, poll_timeout=1, live_interval=0.3)
    await adapter.start()
    yield adapter
    await adapter.stop()


def bot_message(message_id: int = 5) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "date": 0,
        "chat": GROUP,
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "s"},
    }


async def start_round(fake_api: FakeBotApi, bank: Bank) -> Question:
    fake_api.message(STARTER, GROUP, "/quiz basics")
    [question] = await fake_api.wait_for(lambda: fake_api.sent("sendMessage", GROUP_ID))
    text = question.params["text"].replace("&#x27;", "'").replace("&quot;", '"')
    return next(q for q in bank.questions if q.prompt.en in text)


def live_texts(fake_api: FakeBotApi) -> list[str]:
    return [t for (cid, _), t in fake_api.texts_now.items() if cid == GROUP_ID and "answered so far" in t]


async def test_the_replay_attack_cannot_raise_a_score(fake_api: FakeBotApi, quick: TelegramAdapter, bank: Bank) -> None:
    q = await start_round(fake_api, bank)
    fake_api.message(BOB, GROUP, "no idea", reply_to=bot_message())
    [feedback] = await fake_api.wait_for(lambda: fake_api.texts(42))
    assert "Score:" in feedback and "<tg-spoiler>" not in feedback and "✅" not in feedback and "❌" not in feedback
    assert all(kp.en not in feedback for kp in q.key_points)  # nothing to paste back
    # Bob reads the summary of another round, or asks a friend, and pastes the key points: not counted.
    fake_api.message(BOB, GROUP, "\n".join(kp.en for kp in q.key_points), reply_to=bot_message())
    second = await fake_api.wait_for(lambda: fake_api.texts(42)[1:])
    assert "first answer" in second[0]
    fake_api.message(STARTER, GROUP, "/reveal")
    [summary] = await fake_api.wait_for(lambda: [t for t in fake_api.texts(GROUP_ID) if "Round closed" in t])
    assert "Bob\u2069: 0/100" in summary
    fake_api.message(BOB, GROUP, "/leaderboard")
    [board] = await fake_api.wait_for(lambda: [t for t in fake_api.texts(GROUP_ID) if "Leaderboard" in t])
    assert "Bob\u2069: score 0 " in board


async def test_one_live_message_and_feedback_first(fake_api: FakeBotApi, quick: TelegramAdapter, bank: Bank) -> None:
    q = await start_round(fake_api, bank)
    members = [user(500 + i, f"Member{i}") for i in range(6)]
    for member in members:
        fake_api.message(member, GROUP, q.answer.en if q.answer else "x", reply_to=bot_message())
    await fake_api.wait_for(lambda: all(fake_api.texts(500 + i) for i in range(6)))  # everyone's feedback
    await fake_api.wait_for(lambda: any(all(f"Member{i}" in t for i in range(6)) for t in live_texts(fake_api)))
    posted = [t for t in fake_api.texts(GROUP_ID) if "answered so far" in t]
    assert len(posted) == 1  # one message, edited in place
    assert len(fake_api.sent("editMessageText", GROUP_ID)) <= 5  # coalesced, not one write per answer
    assert all(q.answer.en[:40] not in t for t in live_texts(fake_api))  # type: ignore[union-attr]


async def test_closing_stops_the_poll_and_takes_the_buttons_off(fake_api: FakeBotApi, quick: TelegramAdapter) -> None:
    fake_api.message(STARTER, GROUP, "/mc")
    await fake_api.wait_for(lambda: fake_api.sent("sendPoll", GROUP_ID))
    fake_api.message(STARTER, GROUP, "/reveal")
    await fake_api.wait_for(lambda: fake_api.sent("stopPoll", GROUP_ID))
    fake_api.vote(BOB, "1", 0)  # a vote that raced the close
    late = await fake_api.wait_for(lambda: fake_api.texts(42))
    assert "closed" in late[0] and "not counted" in late[0]
    fake_api.message(STARTER, GROUP, "/quiz")
    await fake_api.wait_for(lambda: len([t for t in fake_api.texts(GROUP_ID) if "Group round" in t]) == 1)
    fake_api.message(STARTER, GROUP, "/reveal")
    [edit] = await fake_api.wait_for(lambda: fake_api.sent("editMessageReplyMarkup", GROUP_ID))
    assert not (edit.params.get("reply_markup") or {}).get("inline_keyboard")


async def test_anonymous_admins_and_the_linked_channel_are_admins(fake_api: FakeBotApi, quick: TelegramAdapter) -> None:
    fake_api.message(ANONYMOUS_ADMIN, GROUP, "/lang zh", sender_chat=GROUP)
    await fake_api.wait_for(lambda: any("中文" in t for t in fake_api.texts(GROUP_ID)))
    channel = {"id": -100800, "type": "channel", "title": "News"}
    stranger = {"id": -100900, "type": "channel", "title": "Elsewhere"}
    channel_bot = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
    fake_api.linked[GROUP_ID] = -100800
    fake_api.message(channel_bot, GROUP, "/lang en", sender_chat=stranger)
    await fake_api.wait_for(lambda: any("管理员" in t for t in fake_api.texts(GROUP_ID)))  # refused
    fake_api.message(channel_bot, GROUP, "/lang en", sender_chat=channel)
    await fake_api.wait_for(lambda: any("English" in t for t in fake_api.texts(GROUP_ID)))
    fake_api.message(ANONYMOUS_ADMIN, GROUP, "/quiz", sender_chat=GROUP)
    await fake_api.wait_for(lambda: any("Group round" in t for t in fake_api.texts(GROUP_ID)))


async def test_members_without_a_private_chat_get_one_hint_and_their_feedback_later(
    fake_api: FakeBotApi, quick: TelegramAdapter, bank: Bank
) -> None:
    q = await start_round(fake_api, bank)
    shy, shier = user(61, "Shy"), user(62, "Shier")
    for member in (shy, shier):
        fake_api.fail("sendMessage", 403, NEVER_STARTED, chat_id=member["id"])
        fake_api.message(member, GROUP, q.key_points[0].en, reply_to=bot_message())
    hints = await fake_api.wait_for(lambda: [t for t in fake_api.texts(GROUP_ID) if "t.me/" in t])
    await fake_api.wait_for(lambda: len(fake_api.sent("sendMessage", 62)) == 1)
    assert len([t for t in fake_api.texts(GROUP_ID) if "t.me/" in t]) == 1  # one hint for both
    assert "https://t.me/studybot_test_bot?start=feedback" in hints[0]
    fake_api.message(shy, chat(61), "/start feedback")
    await fake_api.wait_for(lambda: any("kept until you opened" in t for t in fake_api.texts(61)))
    await fake_api.wait_for(lambda: len([t for t in fake_api.texts(61) if "Score:" in t]) == 2)  # refused, then kept


async def test_a_forum_topic_gets_everything_of_its_round_and_its_question_of_the_day(
    fake_api: FakeBotApi, quick: TelegramAdapter, studybot: StudyBot, clock: FakeClock
) -> None:
    forum = {**GROUP, "is_forum": True}
    topic = 7
    fake_api.message(STARTER, forum, "/quiz", topic=topic)
    [question] = await fake_api.wait_for(lambda: fake_api.sent("sendMessage", GROUP_ID))
    assert question.params["message_thread_id"] == topic
    in_topic = {**bot_message(), "message_thread_id": topic, "is_topic_message": True}
    fake_api.message(BOB, forum, "attention weights tokens", reply_to=in_topic, topic=topic)
    await fake_api.wait_for(lambda: live_texts(fake_api))
    [live] = [c for c in fake_api.sent("sendMessage", GROUP_ID) if "answered so far" in c.params["text"]]
    assert live.params["message_thread_id"] == topic
    # the round closes on time: its summary goes to the topic too
    clock.advance(minutes=16)
    for out in await studybot.close_due_rounds():
        await quick.send(out.chat, out.reply)
    [summary] = [c for c in fake_api.sent("sendMessage", GROUP_ID) if "Round closed" in c.params["text"]]
    assert summary.params["message_thread_id"] == topic
    # a multiple-choice round's poll, and /daily, belong to the topic as well
    fake_api.message(STARTER, forum, "/mc", topic=topic)
    [poll] = await fake_api.wait_for(lambda: fake_api.sent("sendPoll", GROUP_ID))
    assert poll.params["message_thread_id"] == topic
    fake_api.admins[GROUP_ID] = {STARTER["id"]}
    fake_api.message(STARTER, forum, "/daily 09:00", topic=topic)
    [subscribed] = await fake_api.wait_for(
        lambda: [c for c in fake_api.sent("sendMessage", GROUP_ID) if "09:00" in c.params["text"]]
    )
    assert subscribed.params["message_thread_id"] == topic
    async with studybot.store.transaction() as tx:
        chat = await tx.chats.resolve(ChatRef("telegram", f"{GROUP_ID}/{topic}"), ChatKind.GROUP, clock.now())
        assert await tx.subscriptions.for_chat(chat.id) is not None
