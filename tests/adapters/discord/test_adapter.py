"""The real discord.py client, started with login + connect, against the fake Discord; the real core behind it."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest

from bot.adapters.discord.adapter import COMMANDS_HASH_KEY, DiscordAdapter, api_base, gateway_target
from bot.adapters.discord.render import clean
from bot.content.schema import Question
from bot.core.app import StudyBot
from bot.core.commands import VISIBLE
from bot.core.i18n import t
from tests.adapters.discord.conftest import make_adapter
from tests.adapters.discord.fake_discord import (
    ADMIN_PERMS,
    APP_ID,
    CHANNEL_ID,
    GUILD_ID,
    MEMBER_PERMS,
    FakeDiscord,
    Request,
    user_payload,
)

ADA = user_payload(101000000000000001, "ada", "Ada")
BOB = user_payload(102000000000000002, "bob", "Bob")
CY = user_payload(103000000000000003, "cy", "Cy")
HOSTILE_TEXT = "**bold** @everyone <@123> ||x||"
EVIL = user_payload(104000000000000004, "evil", HOSTILE_TEXT)
DM_CHANNEL = 950000000000000001

EPHEMERAL = 64


# -- helpers ---------------------------------------------------------------------------------------


def message_bodies(fake: FakeDiscord, interaction: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """(body, how) for every message shown in answer to `interaction`: the callback's, followups, @original edits."""
    out = []
    for r in fake.answers(interaction):
        if r.path.endswith("/callback") and r.json and r.json.get("type") == 4:
            out.append((r.json["data"], "callback"))
        elif r.path.startswith("/webhooks/") and r.method == "POST":
            out.append((r.json, "followup"))
        elif r.path.endswith("/messages/@original") and r.method == "PATCH":
            out.append((r.json, "original"))
    return out


def text_of(body: dict[str, Any]) -> str:
    return "\n".join(e.get("description") or "" for e in body.get("embeds") or [])


def custom_ids(body: dict[str, Any]) -> list[str]:
    ids = []
    for row in body.get("components") or []:
        ids += [c["custom_id"] for c in row.get("components", []) if "custom_id" in c]
    return ids


def is_ephemeral(body: dict[str, Any]) -> bool:
    return bool((body.get("flags") or 0) & EPHEMERAL)


async def shown(fake: FakeDiscord, interaction: dict[str, Any], n: int = 1) -> list[dict[str, Any]]:
    """Wait until `n` messages answered `interaction`; their bodies."""
    found = await fake.wait_for(
        lambda: len(message_bodies(fake, interaction)) >= n and message_bodies(fake, interaction)
    )
    await asyncio.sleep(0.05)  # nothing more should follow; tests compare exact counts
    return [b for b, _ in (message_bodies(fake, interaction) or found)]


async def callback(fake: FakeDiscord, interaction: dict[str, Any]) -> Request:
    found: list[Request] = await fake.wait_for(
        lambda: [r for r in fake.answers(interaction) if r.path.endswith("/callback")]
    )
    return found[0]


def question_in(bot: StudyBot, body: dict[str, Any]) -> Question:
    text = text_of(body)
    for q in bot.bank.questions:
        if clean(q.prompt.en) in text or clean(q.prompt.zh) in text:
            return q
    raise AssertionError(f"no bank question in {text!r}")


def answer_id(body: dict[str, Any]) -> str:
    return next(i for i in custom_ids(body) if i.startswith("sba:"))


def good_answer(q: Question) -> str:
    return "\n".join(kp.en for kp in q.key_points)


# -- start-up, sync --------------------------------------------------------------------------------


async def test_connects_without_privileged_intents_and_syncs_every_command(
    adapter: DiscordAdapter, fake: FakeDiscord, studybot: StudyBot
) -> None:
    (identify,) = fake.identifies
    assert identify["token"] == "fake-token"
    assert identify["intents"] == discord.Intents(guilds=True).value  # no message content, members or presences
    assert adapter.sync_result == "global"
    (put,) = fake.find("PUT", rf"/applications/{APP_ID}/commands")
    assert [c["name"] for c in put.json] == list(VISIBLE)
    by_name = {c["name"]: c for c in put.json}
    quiz = by_name["quiz"]
    assert quiz["description"] == t("en", "cmd.quiz")
    assert quiz["description_localizations"] == {"zh-CN": t("zh", "cmd.quiz"), "zh-TW": "來一道問答題 [主題]"}
    assert quiz["name_localizations"]["zh-CN"] == "问答"
    assert quiz["options"] == [
        {
            "type": 3,
            "name": "topic",
            "description": "a topic (leave empty for any)",
            "required": False,
            "autocomplete": True,
            "min_length": 1,
            "max_length": 64,
            "name_localizations": {"zh-CN": "主题", "zh-TW": "主題"},
            "description_localizations": {"zh-CN": "主题（留空则随机）", "zh-TW": "主題（留空則隨機）"},
        }
    ]
    assert [c["value"] for c in by_name["leaderboard"]["options"][0]["choices"]] == ["week", "all"]
    assert [c["value"] for c in by_name["lang"]["options"][0]["choices"]] == ["en", "zh"]
    assert by_name["help"]["options"] == []
    # who may use what, where: Manage Server for a server's settings; personal commands in DMs only
    admin_only = {c["name"] for c in put.json if c["default_member_permissions"] == 32}
    assert admin_only == {"lang", "timezone", "daily"}
    contexts = {c["name"]: c["contexts"] for c in put.json}
    assert contexts["export"] == contexts["forget"] == contexts["link"] == [1]  # bot DMs only
    assert contexts["leaderboard"] == [0] and contexts["quiz"] == [0, 1]
    assert all(c["contexts"] for c in put.json)
    assert (await studybot.recall(COMMANDS_HASH_KEY) or "").startswith(f"{APP_ID}:")


async def test_global_sync_only_when_the_commands_changed(studybot: StudyBot, fake: FakeDiscord) -> None:
    first = make_adapter(studybot, fake)
    await first.start()
    await first.stop()
    second = make_adapter(studybot, fake)  # a restart with the same commands
    await second.start()
    try:
        assert (first.sync_result, second.sync_result) == ("global", "unchanged")
        assert len(fake.find("PUT", rf"/applications/{APP_ID}/commands")) == 1
        # a changed command set syncs again
        await studybot.remember(COMMANDS_HASH_KEY, f"{APP_ID}:stale")
        assert await second.sync_commands() == "global"
        assert len(fake.find("PUT", rf"/applications/{APP_ID}/commands")) == 2
    finally:
        await second.stop()


async def test_dev_guild_sync_is_immediate_and_per_guild(studybot: StudyBot, fake: FakeDiscord) -> None:
    a = make_adapter(studybot, fake, dev_guild=GUILD_ID)
    await a.start()
    try:
        assert a.sync_result == "guild"
        (put,) = fake.find("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")
        assert [c["name"] for c in put.json] == list(VISIBLE)
        assert not fake.find("PUT", rf"/applications/{APP_ID}/commands")
        p = await fake.slash("help", user=ADA)  # a guild command still reaches the core
        (body,) = await shown(fake, p)
        assert "/quiz" in text_of(body)
    finally:
        await a.stop()


def test_url_settings() -> None:
    assert api_base("http://127.0.0.1:9/") == "http://127.0.0.1:9/api/v10"
    assert api_base("https://proxy.example/api") == "https://proxy.example/api/v10"
    assert api_base("https://proxy.example/api/v10") == "https://proxy.example/api/v10"
    assert (
        gateway_target("ws://127.0.0.1:9/gateway", "wss://gateway.discord.gg/?v=10&encoding=json")
        == "ws://127.0.0.1:9/gateway?v=10&encoding=json"
    )


# -- slash commands, buttons, modals -----------------------------------------------------------------


async def test_slash_command_with_an_option(adapter: DiscordAdapter, fake: FakeDiscord, studybot: StudyBot) -> None:
    p = await fake.slash("quiz", {"topic": "rag"}, user=ADA, guild=False, channel_id=DM_CHANNEL)
    (body,) = await shown(fake, p)
    q = question_in(studybot, body)
    assert q.topic == "rag"
    assert not is_ephemeral(body)
    ids = custom_ids(body)
    assert ids[0].startswith("sba:session:") and {i.split(":")[1] for i in ids[1:]} == {"hint", "reveal", "skip"}
    assert body["allowed_mentions"] == {"parse": []}
    assert body["embeds"][0]["color"] == discord.Colour.blurple().value


async def test_topic_autocomplete(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    p = await fake.autocomplete("quiz", "topic", "ra", user=ADA)
    r = await callback(fake, p)
    assert r.json["type"] == 8
    values = [c["value"] for c in r.json["data"]["choices"]]
    assert "rag" in values and len(values) <= 25


async def test_button_click_reaches_the_core(adapter: DiscordAdapter, fake: FakeDiscord, studybot: StudyBot) -> None:
    p = await fake.slash("quiz", user=ADA, guild=False, channel_id=DM_CHANNEL)
    (question,) = await shown(fake, p)
    q = question_in(studybot, question)
    hint_id = next(i for i in custom_ids(question) if i.startswith("sb:hint:"))
    press = await fake.click(hint_id, user=ADA, guild=False, channel_id=DM_CHANNEL)
    (hint,) = await shown(fake, press)
    assert any(clean(kp.en) in text_of(hint) for kp in q.key_points)


async def test_buttons_survive_a_restart(studybot: StudyBot, fake: FakeDiscord) -> None:
    a = make_adapter(studybot, fake)
    await a.start()
    try:  # a press on a message this process never sent: "Next question"
        press = await fake.click("sb:quiz:", user=ADA, guild=False, channel_id=DM_CHANNEL)
        (body,) = await shown(fake, press)
        question_in(studybot, body)
    finally:
        await a.stop()


async def test_answer_button_opens_a_modal_and_the_submit_is_graded(
    adapter: DiscordAdapter, fake: FakeDiscord, studybot: StudyBot
) -> None:
    p = await fake.slash("quiz", user=ADA, guild=False, channel_id=DM_CHANNEL)
    (question,) = await shown(fake, p)
    q = question_in(studybot, question)
    press = await fake.click(answer_id(question), user=ADA, guild=False, channel_id=DM_CHANNEL)
    modal = await callback(fake, press)
    assert modal.json["type"] == 9
    data = modal.json["data"]
    assert data["custom_id"] == "sbm:" + answer_id(question)[4:]
    (text_input,) = [c.get("component") or c["components"][0] for c in data["components"]]
    assert (text_input["type"], text_input["style"], text_input["max_length"]) == (4, 2, 4000)

    submit = await fake.submit(
        data["custom_id"], {"answer": good_answer(q)}, user=ADA, guild=False, channel_id=DM_CHANNEL
    )
    (result,) = await shown(fake, submit)
    text = text_of(result)
    assert "Score:" in text and "/100" in text
    assert "sb:quiz:" in custom_ids(result)  # "Next question"


async def test_an_answer_that_looks_like_a_command_is_still_an_answer(
    adapter: DiscordAdapter, fake: FakeDiscord, studybot: StudyBot
) -> None:
    p = await fake.slash("quiz", user=ADA, guild=False, channel_id=DM_CHANNEL)
    question = await shown(fake, p)
    modal_id = "sbm:" + answer_id(question[0])[4:]
    submit = await fake.submit(modal_id, {"answer": "/forget confirm"}, user=ADA, guild=False, channel_id=DM_CHANNEL)
    (result,) = await shown(fake, submit)
    assert "Score:" in text_of(result)


async def test_ephemeral_reply(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    p = await fake.slash("link", user=ADA, guild=False, channel_id=DM_CHANNEL)
    (body,) = await shown(fake, p)
    assert is_ephemeral(body)
    assert "link code" in text_of(body)
    # in a channel, a refusal meant for one person only is ephemeral too
    start = await fake.slash("quiz", user=ADA, permissions=MEMBER_PERMS)
    (question,) = await shown(fake, start)
    reveal = next(i for i in custom_ids(question) if i.startswith("sb:rr:"))
    press = await fake.click(reveal, user=BOB, permissions=MEMBER_PERMS)
    (refused,) = await shown(fake, press)
    assert is_ephemeral(refused)
    assert clean(t("en", "round.reveal_refused")) in text_of(refused)


async def test_channel_round_with_three_members(adapter: DiscordAdapter, fake: FakeDiscord, studybot: StudyBot) -> None:
    start = await fake.slash("quiz", user=ADA, permissions=ADMIN_PERMS)
    (question,) = await shown(fake, start)
    assert not is_ephemeral(question)
    q = question_in(studybot, question)
    assert answer_id(question).startswith("sba:round:")
    answers = {"Ada": good_answer(q), "Bob": "I am not sure, something about computers", "Cy": q.key_points[0].en}
    for user in (ADA, BOB, CY):
        press = await fake.click(answer_id(question), user=user)
        modal = await callback(fake, press)
        submit = await fake.submit(modal.json["data"]["custom_id"], {"answer": answers[user["global_name"]]}, user=user)
        (private,) = await shown(fake, submit)
        assert is_ephemeral(private) and "Score:" in text_of(private)
        assert "Covered" not in text_of(private) and "Model answer" not in text_of(private)  # fair: nothing to copy
    # one live message in the channel with the standings: every name, no answer text
    live = await fake.wait_for(lambda: [m for m in fake.posted.values() if all(n in live_text(m) for n in "ABC")])
    assert len(live) == 1 and "answered so far" in live_text(live[0])
    assert all(a[:30] not in live_text(live[0]) for a in answers.values())
    reveal = next(i for i in custom_ids(question) if i.startswith("sb:rr:"))
    press = await fake.click(reveal, user=ADA, permissions=ADMIN_PERMS)
    (summary,) = await shown(fake, press)
    text = text_of(summary)
    assert "Round closed: 3 answers" in text
    assert all(f"{name}\u2069: " in text for name in ("Ada", "Bob", "Cy"))
    assert q.answer is not None and f"||{clean(q.answer.en)}||" in text  # the reference answer behind a spoiler
    assert not is_ephemeral(summary)
    # close means closed: the question's buttons are gone
    closed = await fake.wait_for(lambda: [m for m in fake.posted.values() if m["embeds"] == question["embeds"]])
    await fake.wait_for(lambda: not closed[0]["components"])


def live_text(message: dict[str, Any]) -> str:
    return "\n".join(e.get("description") or "" for e in message.get("embeds") or [])


async def test_guild_settings_need_manage_server(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    refused = await fake.slash("lang", {"language": "zh"}, user=BOB, permissions=MEMBER_PERMS)
    (body,) = await shown(fake, refused)
    assert clean(t("en", "group.admins_only")) in text_of(body) and is_ephemeral(body)  # for the member alone
    tz = await fake.slash("timezone", {"zone": "Asia/Shanghai"}, user=BOB, permissions=MEMBER_PERMS)
    (body,) = await shown(fake, tz)
    assert clean(t("en", "group.admins_only")) in text_of(body)
    allowed = await fake.slash("lang", {"language": "zh"}, user=ADA, permissions=ADMIN_PERMS)
    (body,) = await shown(fake, allowed)
    assert t("zh", "lang.set") in text_of(body)
    # and the same member may change their own language in a DM
    own = await fake.slash("lang", {"language": "zh"}, user=BOB, guild=False, channel_id=DM_CHANNEL)
    (body,) = await shown(fake, own)
    assert t("zh", "lang.set") in text_of(body)


async def test_hostile_names_and_answers_are_escaped(
    adapter: DiscordAdapter, fake: FakeDiscord, studybot: StudyBot
) -> None:
    start = await fake.slash("quiz", user=ADA, permissions=ADMIN_PERMS)
    (question,) = await shown(fake, start)
    press = await fake.click(answer_id(question), user=EVIL)
    modal = await callback(fake, press)
    submit = await fake.submit(modal.json["data"]["custom_id"], {"answer": HOSTILE_TEXT}, user=EVIL)
    (private,) = await shown(fake, submit)
    [public] = await fake.wait_for(lambda: [m for m in fake.posted.values() if "answered so far" in live_text(m)])
    reveal = next(i for i in custom_ids(question) if i.startswith("sb:rr:"))
    close = await fake.click(reveal, user=ADA, permissions=ADMIN_PERMS)
    (summary,) = await shown(fake, close)
    for body in (public, private, summary):
        text = text_of(body)
        assert "**bold**" not in text and "@everyone" not in text and "<@123>" not in text and "||x||" not in text
    assert summary["allowed_mentions"] == private["allowed_mentions"] == {"parse": []}
    assert clean(HOSTILE_TEXT) in text_of(public)  # the name, escaped
    assert clean(HOSTILE_TEXT) in text_of(summary)


async def test_stats_chart_is_an_attached_image(adapter: DiscordAdapter, fake: FakeDiscord, studybot: StudyBot) -> None:
    ask = await fake.slash("quiz", user=ADA, guild=False, channel_id=DM_CHANNEL)
    (question,) = await shown(fake, ask)
    submit = await fake.submit(
        "sbm:" + answer_id(question)[4:],
        {"answer": good_answer(question_in(studybot, question))},
        user=ADA,
        guild=False,
        channel_id=DM_CHANNEL,
    )
    await shown(fake, submit)
    p = await fake.slash("stats", user=ADA, guild=False, channel_id=DM_CHANNEL)
    # drawing the chart may take long enough to be deferred: the file comes with the callback or the edit
    (sent,) = await fake.wait_for(lambda: [r for r in fake.answers(p) if r.files], timeout=60)
    ((name, data),) = sent.files
    assert name.endswith(".png") and data.startswith(b"\x89PNG")
    body = sent.json.get("data", sent.json)
    assert body["embeds"][0]["image"]["url"] == f"attachment://{name}"


# -- slow answers: defer, then follow up --------------------------------------------------------------


@pytest.fixture
async def slow_adapter(studybot: StudyBot, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> Any:
    handle = studybot.handle

    async def slow_handle(inc: Any) -> Any:
        await asyncio.sleep(0.3)  # a slow database
        return await handle(inc)

    monkeypatch.setattr(studybot, "handle", slow_handle)
    a = make_adapter(studybot, fake, defer_after=0.05)
    await a.start()
    yield a
    await a.stop()


async def test_slow_slash_command_is_deferred_then_followed_up(slow_adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    p = await fake.slash("quiz", user=ADA, guild=False, channel_id=DM_CHANNEL)
    cb = await callback(fake, p)
    assert cb.json["type"] == 5  # "thinking"
    (edit,) = await fake.wait_for(lambda: fake.find("PATCH", rf"/webhooks/{APP_ID}/{p['token']}/messages/@original"))
    assert custom_ids(edit.json)[0].startswith("sba:session:")


async def test_slow_ephemeral_command_is_deferred_ephemerally(slow_adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    p = await fake.slash("link", user=ADA, guild=False, channel_id=DM_CHANNEL)
    cb = await callback(fake, p)
    assert cb.json["type"] == 5 and cb.json["data"]["flags"] & EPHEMERAL
    await fake.wait_for(lambda: fake.find("PATCH", rf"/webhooks/{APP_ID}/{p['token']}/messages/@original"))


async def test_slow_modal_submit_is_deferred_then_followed_up(slow_adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    start = await fake.slash("quiz", user=ADA, permissions=ADMIN_PERMS)
    (question,) = await shown(fake, start)
    submit = await fake.submit("sbm:" + answer_id(question)[4:], {"answer": "attention"}, user=BOB)
    cb = await callback(fake, submit)
    assert cb.json["type"] == 6  # a silent deferred update; each reply follows with its own visibility
    followups = await fake.wait_for(lambda: fake.find("POST", rf"/webhooks/{APP_ID}/{submit['token']}"))
    assert [is_ephemeral(r.json) for r in followups] == [True]  # the feedback; the standings go to the channel
    await fake.wait_for(lambda: fake.find("POST", rf"/channels/{CHANNEL_ID}/messages"))


async def test_slash_command_answer_survives_a_429_on_the_callback(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    fake.fail("POST", r"/interactions/\d+/[^/]+/callback", 429, retry_after=0.05)
    p = await fake.slash("help", user=ADA, guild=False, channel_id=DM_CHANNEL)
    calls = await fake.wait_for(lambda: [r for r in fake.answers(p) if r.status == 200])
    assert [r.status for r in fake.answers(p)] == [429, 200] and calls[0].json["type"] == 4


async def test_stop_finishes_in_flight_interactions(
    studybot: StudyBot, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    handle = studybot.handle
    started = asyncio.Event()

    async def slow_handle(inc: Any) -> Any:
        started.set()
        await asyncio.sleep(0.3)
        return await handle(inc)

    monkeypatch.setattr(studybot, "handle", slow_handle)
    a = make_adapter(studybot, fake)
    await a.start()
    p = await fake.slash("help", user=ADA, guild=False, channel_id=DM_CHANNEL)
    await asyncio.wait_for(started.wait(), 5)
    await a.stop()
    assert [r.json["type"] for r in fake.answers(p)] == [4]


async def test_daily_subscription_with_a_role_needs_manage_server(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    role_id = 960000000000000001
    refused = await fake.slash("daily", {"when": "08:30 Europe/Berlin"}, user=BOB, permissions=MEMBER_PERMS)
    (body,) = await shown(fake, refused)
    assert clean(t("en", "daily.admins_only")) in text_of(body) and is_ephemeral(body)
    p = await fake.slash(
        "daily",
        {"when": "08:30 Europe/Berlin weekdays", "role": str(role_id)},
        user=ADA,
        permissions=ADMIN_PERMS,
        resolved={
            "roles": {
                str(role_id): {
                    "id": str(role_id),
                    "name": "learners",
                    "permissions": "0",
                    "position": 1,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": True,
                    "flags": 0,
                }
            }
        },
    )
    (body,) = await shown(fake, p)
    assert "08:30" in text_of(body) and "Europe/Berlin" in text_of(body)


async def test_a_process_owns_only_its_shards(studybot: StudyBot, fake: FakeDiscord) -> None:
    from tests.adapters.discord.conftest import make_adapter

    sharded = make_adapter(studybot, fake, shard_count=4, shard_ids=(1, 3))
    await sharded.start()
    try:
        await fake.wait_for(lambda: len(fake.identifies) >= 2, timeout=30)
        assert sorted(tuple(i["shard"]) for i in fake.identifies) == [(1, 4), (3, 4)]
    finally:
        await sharded.stop()


def test_shard_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    import pydantic
    import pytest

    from bot.settings import Settings

    monkeypatch.setenv("DISCORD_SHARD_COUNT", "4")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "1, 3")
    assert Settings(_env_file=None).discord_shard_ids == (1, 3)
    monkeypatch.setenv("DISCORD_SHARD_IDS", "4")
    with pytest.raises(pydantic.ValidationError):
        Settings(_env_file=None)


async def test_one_channels_interactions_are_answered_in_order(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    lang = await fake.slash("lang", {"language": "zh"}, user=ADA, guild=False, channel_id=DM_CHANNEL)
    quiz = await fake.slash("quiz", user=ADA, guild=False, channel_id=DM_CHANNEL)
    (confirmation,) = await shown(fake, lang)
    (question,) = await shown(fake, quiz)
    assert "之后我会说中文" in text_of(confirmation)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text_of(question))


async def test_a_form_opened_for_an_earlier_question_is_refused_and_its_answer_shown_back(
    adapter: DiscordAdapter, fake: FakeDiscord, studybot: StudyBot
) -> None:
    first = await fake.slash("quiz", user=ADA, guild=False, channel_id=DM_CHANNEL)
    (q1,) = await shown(fake, first)
    second = await fake.slash("quiz", user=ADA, guild=False, channel_id=DM_CHANNEL)
    (q2,) = await shown(fake, second)
    assert answer_id(q1) != answer_id(q2)
    answer = good_answer(question_in(studybot, q1))
    submit = await fake.submit(
        "sbm:" + answer_id(q1)[4:], {"answer": answer}, user=ADA, guild=False, channel_id=DM_CHANNEL
    )
    refusal, current = await shown(fake, submit, 2)
    assert "has closed" in text_of(refusal) and answer[:200] in text_of(refusal) and is_ephemeral(refusal)
    assert "Score" not in text_of(refusal)  # not graded against the question open now
    assert answer_id(current) == answer_id(q2)  # the current question, to answer instead


async def test_a_forged_form_is_refused_not_graded(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    await shown(fake, await fake.slash("quiz", user=ADA, guild=False, channel_id=DM_CHANNEL))
    submit = await fake.submit(
        "sbm:session:99999", {"answer": "attention"}, user=ADA, guild=False, channel_id=DM_CHANNEL
    )
    refusal, _ = await shown(fake, submit, 2)
    assert "has closed" in text_of(refusal) and "attention" in text_of(refusal)
