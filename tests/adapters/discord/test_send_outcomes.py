"""What `DiscordAdapter.send` reports for each answer Discord can give (README: "What a send can end in").

The fake answers with Discord's real error bodies (`{"message": ..., "code": ...}`), a plain
5xx body, or sits on the request past the adapter's timeout (the post then arrives late).
"""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.discord.adapter import DiscordAdapter
from bot.core.events import ChatRef, Part, Reply, ReplyKind
from bot.core.sending import Delivered, Gone, Paused, Refused, Retry, Uncertain
from tests.adapters.discord.fake_discord import CHANNEL_ID, OWNER_ID, FakeDiscord

SUMMARY = Reply(
    (Part("Round closed: 1 answer(s)", "title", "round.closed"), Part("1. Ada: 80/100", "item")),
    kind=ReplyKind.RESULT,
    lang="en",
)
CHANNEL = ChatRef("discord", str(CHANNEL_ID))
MESSAGES = rf"/channels/{CHANNEL_ID}/messages"


def owner_dms(fake: FakeDiscord) -> list[object]:
    return [r for r in fake.find("POST", r"/channels/\d+/messages") if r.path != MESSAGES]


async def test_an_accepted_post_is_delivered_with_its_id(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    result = await adapter.send(CHANNEL, SUMMARY)
    assert isinstance(result, Delivered) and result.message_id
    (post,) = fake.find("POST", MESSAGES)
    assert post.json["allowed_mentions"] == {"parse": []}


@pytest.mark.parametrize("code", [50013, 50001])
async def test_missing_permissions_pause_and_tell_the_owner_once(
    adapter: DiscordAdapter, fake: FakeDiscord, code: int
) -> None:
    fake.fail("POST", MESSAGES, 403, times=2, code=code)
    first, second = await adapter.send(CHANNEL, SUMMARY), await adapter.send(CHANNEL, SUMMARY)
    assert isinstance(first, Paused) and isinstance(second, Paused) and str(code) in first.reason
    (dm,) = fake.find("POST", "/users/@me/channels")
    assert str(dm.json["recipient_id"]) == str(OWNER_ID)
    (told,) = owner_dms(fake)  # once, not per failed message
    body = str(told.json)  # type: ignore[attr-defined]
    assert "#general" in body and "until someone uses a command in that channel" in body


async def test_a_member_closing_their_dms_pauses_without_telling_an_owner(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    fake.fail("POST", MESSAGES, 403, code=50007)
    assert isinstance(await adapter.send(CHANNEL, SUMMARY), Paused)
    assert not fake.find("POST", "/users/@me/channels")


@pytest.mark.parametrize("code", [10003, 10013])
async def test_an_unknown_channel_or_user_is_gone(adapter: DiscordAdapter, fake: FakeDiscord, code: int) -> None:
    fake.fail("POST", MESSAGES, 404, code=code)
    result = await adapter.send(CHANNEL, SUMMARY)
    assert isinstance(result, Gone) and str(code) in result.reason
    assert not fake.find("POST", "/users/@me/channels")


async def test_a_server_error_is_retry_never_delivered(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    # 503 is not among the statuses discord.py retries itself (500/502/504/524, with sleeps of
    # 1 + 2n seconds), so the adapter sees it at once.
    fake.fail("POST", MESSAGES, 503)
    assert isinstance(await adapter.send(CHANNEL, SUMMARY), Retry)
    assert [r.status for r in fake.find("POST", MESSAGES)] == [503]


async def test_a_timeout_is_uncertain_and_not_resent(quick: DiscordAdapter, fake: FakeDiscord) -> None:
    fake.fail("POST", MESSAGES, 200, hold=1.0)  # Discord posts it, but answers too late
    assert isinstance(await quick.send(CHANNEL, SUMMARY), Uncertain)
    assert len(fake.find("POST", MESSAGES)) == 1


async def test_a_bad_request_is_refused_and_the_channel_kept(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    fake.fail("POST", MESSAGES, 400, code=50035)
    assert isinstance(await adapter.send(CHANNEL, SUMMARY), Refused)


async def test_429_is_waited_out_and_delivered(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    fake.fail("POST", MESSAGES, 429, times=2, retry_after=0.05)
    assert isinstance(await adapter.send(CHANNEL, SUMMARY), Delivered)
    assert [r.status for r in fake.find("POST", MESSAGES)] == [429, 429, 200]


async def test_a_token_reset_while_running_is_retry_and_reported(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    fake.revoked = True  # the owner reset the token: every REST call now gets 401
    result = await adapter.send(CHANNEL, SUMMARY)
    assert isinstance(result, Retry) and "token rejected" in result.reason  # nothing sent; kept for later
    reason = await asyncio.wait_for(adapter.revoked(), timeout=5)
    assert reason == "Discord rejected DISCORD_BOT_TOKEN while running (401 Unauthorized)"
