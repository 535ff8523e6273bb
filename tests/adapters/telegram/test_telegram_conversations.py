"""The real python-telegram-bot Application against the local fake Bot API."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.adapters.telegram.adapter import TelegramAdapter
from bot.content.bank import Bank
from bot.core.actions import Pick, decode
from bot.core.app import StudyBot
from bot.storage.store import SqlStore
from tests.adapters.telegram.fake_bot_api import BOT_ID, Call, FakeBotApi, chat, user

ADA = user(11, "Ada", "Lovelace", lang="en")
PRIVATE = chat(11)


def keyboard(call: Call) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def test_start_registers_commands_in_both_languages(fake_api: FakeBotApi, telegram: TelegramAdapter) -> None:
    calls = fake_api.sent("setMyCommands")
    assert {c.params.get("language_code") for c in calls} == {None, "zh"}
    menus = {
        ((c.params.get("scope") or {}).get("type"), c.params.get("language_code")): [
            x["command"] for x in c.params["commands"]
        ]
        for c in calls
    }
    assert set(menus) == {
        (s, lang)
        for s in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")
        for lang in (None, "zh")
    }
    private, group, admins = (
        menus["all_private_chats", None],
        menus["all_group_chats", None],
        menus["all_chat_administrators", None],
    )
    assert {"quiz", "mc", "review", "stats", "link", "export", "forget"} <= set(private) and "a" not in private
    assert "a" in group and not {"review", "link", "export", "forget", "lang", "timezone", "daily"} & set(group)
    assert set(admins) == set(group) | {"lang", "timezone", "daily"}
    assert menus["all_group_chats", "zh"] == group
    zh = next(c for c in calls if c.params.get("language_code") == "zh")
    assert any("问答" in c["description"] for c in zh.params["commands"])


async def test_private_start_quiz_answer_graded(fake_api: FakeBotApi, telegram: TelegramAdapter, bank: Bank) -> None:
    fake_api.message(ADA, PRIVATE, "/start")
    await fake_api.wait_for(lambda: fake_api.texts(11))
    assert "Hi Ada Lovelace" in fake_api.texts(11)[0]
    fake_api.message(ADA, PRIVATE, "/quiz@studybot_test_bot basics")
    question = await fake_api.wait_for(lambda: fake_api.sent("sendMessage", 11)[1:])
    q_text = question[0].params["text"]
    assert question[0].params["parse_mode"] == "HTML" and "<b>" in q_text
    assert [b["callback_data"].split(":")[0] for b in keyboard(question[0])] == ["hint", "reveal", "skip"]
    q = next(q for q in bank.questions if q.prompt.en in q_text.replace("&#x27;", "'").replace("&quot;", '"'))
    assert q.answer is not None
    fake_api.message(ADA, PRIVATE, q.answer.en)
    graded = await fake_api.wait_for(lambda: fake_api.sent("sendMessage", 11)[2:])
    text = graded[0].params["text"]
    assert "Score:" in text and "<tg-spoiler>" in text and "✅" in text


async def test_hint_reveal_skip_and_rating_buttons(fake_api: FakeBotApi, telegram: TelegramAdapter) -> None:
    fake_api.message(ADA, PRIVATE, "/quiz")
    [question] = await fake_api.wait_for(lambda: fake_api.sent("sendMessage", 11))
    buttons = {b["callback_data"].split(":")[0]: b["callback_data"] for b in keyboard(question)}
    message = {"message_id": 1, "date": 0, "chat": PRIVATE, "from": {"id": BOT_ID, "is_bot": True, "first_name": "s"}}
    fake_api.press(ADA, message, buttons["hint"])
    await fake_api.wait_for(lambda: any("Hint 1" in t for t in fake_api.texts(11)))
    fake_api.press(ADA, message, buttons["reveal"])
    reveal = await fake_api.wait_for(
        lambda: [c for c in fake_api.sent("sendMessage", 11) if "counted as a miss" in c.params["text"]]
    )
    rate = {b["text"]: b["callback_data"] for b in keyboard(reveal[0])}
    assert set(rate) == {"Again", "Hard", "Good", "Easy"}
    fake_api.press(ADA, message, rate["Good"])
    await fake_api.wait_for(lambda: any(t.startswith("Rated Good") for t in fake_api.texts(11)))
    fake_api.press(ADA, message, buttons["skip"])  # a stale button is refused to the presser alone
    [stale] = await fake_api.wait_for(
        lambda: [c for c in fake_api.sent("sendMessage", 11) if "already closed" in c.params["text"]]
    )
    presses = fake_api.sent("answerCallbackQuery")
    assert len(presses) >= 4  # every press is answered, and first: before the core's work
    assert fake_api.calls.index(presses[-1]) < fake_api.calls.index(stale)


async def test_multiple_choice_is_a_quiz_poll_scored_by_poll_answer(
    fake_api: FakeBotApi, telegram: TelegramAdapter
) -> None:
    fake_api.message(ADA, PRIVATE, "/mc basics")
    [poll] = await fake_api.wait_for(lambda: fake_api.sent("sendPoll", 11))
    assert poll.params["type"] == "quiz" and poll.params["is_anonymous"] is False
    assert len(poll.params["options"]) == 4 and len(poll.params.get("explanation", "")) <= 200
    fake_api.vote(ADA, "1", int(poll.params["correct_option_ids"][0]))
    result = await fake_api.wait_for(lambda: [t for t in fake_api.texts(11) if t.startswith("<b>Right!")])
    assert result


async def test_group_round_with_three_members(fake_api: FakeBotApi, telegram: TelegramAdapter, bank: Bank) -> None:
    group = chat(-100500, "supergroup")
    starter, bob, eve = user(21, "Starter"), user(22, "Bob"), user(23, "<b>&amp;</b>")
    fake_api.message(starter, group, "/quiz basics")
    [question] = await fake_api.wait_for(lambda: fake_api.sent("sendMessage", -100500))
    assert [b["callback_data"].split(":")[0] for b in keyboard(question)] == ["rr"]
    q = next(
        q
        for q in bank.questions
        if q.prompt.en.replace("'", "&#x27;") in question.params["text"] or q.prompt.en in question.params["text"]
    )
    bot_message = {"message_id": 5, "date": 0, "chat": group, "from": {"id": BOT_ID, "is_bot": True, "first_name": "s"}}
    assert q.answer is not None
    fake_api.message(bob, group, q.answer.en, reply_to=bot_message)
    fake_api.message(eve, group, f"/a {q.answer.en} **markdown** <script>", reply_to=None)
    fake_api.message(starter, group, "just chatting")  # not a reply: ignored
    # one live message with the standings, edited in place: both names, never a text
    await fake_api.wait_for(
        lambda: any("Bob" in t and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in t for t in fake_api.texts_now.values())
    )
    assert len([t for t in fake_api.texts(-100500) if "answered so far" in t]) == 1
    assert all("markdown" not in t for t in fake_api.texts(-100500))  # nobody's text is shown
    # personal feedback goes to each member's private chat
    await fake_api.wait_for(lambda: fake_api.texts(22) and fake_api.texts(23))
    # a non-admin member may not change the group's settings; an admin may
    fake_api.admins[-100500] = {21}
    fake_api.message(bob, group, "/lang zh")
    await fake_api.wait_for(lambda: any("Only the group's admins" in t for t in fake_api.texts(22)))  # to Bob alone
    fake_api.message(bob, group, "/reveal")
    await fake_api.wait_for(
        lambda: any("Only whoever started" in t for t in fake_api.texts(22) + fake_api.texts(-100500))
    )
    fake_api.message(starter, group, "/reveal")
    summary = await fake_api.wait_for(lambda: [t for t in fake_api.texts(-100500) if "Round closed" in t])
    assert "2 answers" in summary[0] and "<tg-spoiler>" in summary[0]
    fake_api.message(starter, group, "/lang zh")
    await fake_api.wait_for(lambda: any("中文" in t for t in fake_api.texts(-100500)))


async def test_markdown_and_html_in_answers_and_names_are_escaped(
    fake_api: FakeBotApi, telegram: TelegramAdapter
) -> None:
    hostile = user(31, "<b>&amp;</b>", "*x*")
    fake_api.message(hostile, chat(31), "/start")
    [welcome] = await fake_api.wait_for(lambda: fake_api.texts(31))
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt; *x*" in welcome


async def test_long_replies_are_split_on_paragraphs(telegram: TelegramAdapter) -> None:
    from bot.adapters.telegram.render import render_text
    from bot.core.events import Part, Reply

    parts = tuple(Part(f"paragraph {i} " + "x" * 900) for i in range(12))
    outs = render_text(Reply(parts, lang="en"))
    assert len(outs) >= 3 and all(len(o.html) <= 4096 for o in outs)
    assert all(o.html.startswith("paragraph") for o in outs)
    assert "".join(o.html.replace("\n", "") for o in outs) == "".join(p.text for p in parts)


@pytest.mark.parametrize("kind", ["blocked", "chat_not_found"])
async def test_blocked_or_gone_chats_are_marked_inactive(
    fake_api: FakeBotApi, telegram: TelegramAdapter, store: SqlStore, kind: str
) -> None:
    from sqlalchemy import select

    from bot.storage.tables import chats

    fake_api.message(user(41, "Gone"), chat(41), "/start")
    await fake_api.wait_for(lambda: fake_api.texts(41))
    if kind == "blocked":
        fake_api.fail("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=41)
    else:
        fake_api.fail("sendMessage", 400, "Bad Request: chat not found", chat_id=41)
    fake_api.message(user(41, "Gone"), chat(41), "/help")

    async def inactive() -> bool:
        async with store.engine.connect() as conn:
            return (await conn.execute(select(chats.c.active).where(chats.c.external_id == "41"))).scalar() is False

    import asyncio

    for _ in range(200):
        if await inactive():
            break
        await asyncio.sleep(0.02)
    assert await inactive()
    fake_api.message(ADA, PRIVATE, "/help")  # the bot keeps working for everybody else
    await fake_api.wait_for(lambda: fake_api.texts(11))


async def test_rate_limited_sends_are_retried(fake_api: FakeBotApi, telegram: TelegramAdapter) -> None:
    fake_api.fail("sendMessage", 429, "Too Many Requests: retry after 1", {"retry_after": 1}, chat_id=11)
    fake_api.message(ADA, PRIVATE, "/help")
    # the refused try, then the retry after the server's retry_after
    await fake_api.wait_for(lambda: len([t for t in fake_api.texts(11) if "/quiz" in t]) == 2, timeout=15)


async def test_migrated_group_moves_its_data_and_the_message_follows(
    fake_api: FakeBotApi, telegram: TelegramAdapter, store: SqlStore
) -> None:
    from sqlalchemy import select

    from bot.storage.tables import chats

    group = chat(-500, "group")
    admin = user(51, "Admin")
    fake_api.admins[-500] = {51}
    fake_api.message(admin, group, "/lang zh")
    await fake_api.wait_for(lambda: fake_api.texts(-500))
    fake_api.fail(
        "sendMessage",
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": -100777},
        chat_id=-500,
    )
    fake_api.message(admin, group, "/help")
    await fake_api.wait_for(lambda: fake_api.texts(-100777))
    assert "命令" in fake_api.texts(-100777)[0]  # the group's language moved with it
    async with store.engine.connect() as conn:
        ids = (await conn.execute(select(chats.c.external_id).where(chats.c.platform == "telegram"))).scalars().all()
    assert "-100777" in ids and "-500" not in ids


async def test_unparseable_html_is_resent_as_plain_text(fake_api: FakeBotApi, telegram: TelegramAdapter) -> None:
    fake_api.fail("sendMessage", 400, "Bad Request: can't parse entities: unexpected end tag", chat_id=11)
    fake_api.message(ADA, PRIVATE, "/help")
    plain = await fake_api.wait_for(
        lambda: [c for c in fake_api.sent("sendMessage", 11) if "parse_mode" not in c.params]
    )
    assert "/quiz" in plain[0].params["text"] and "<b>" not in plain[0].params["text"]


async def test_stats_chart_is_a_photo_and_export_a_document(fake_api: FakeBotApi, telegram: TelegramAdapter) -> None:
    fake_api.message(ADA, PRIVATE, "/quiz basics")
    await fake_api.wait_for(lambda: fake_api.texts(11))
    fake_api.message(ADA, PRIVATE, "no idea, sorry, something about computers")
    await fake_api.wait_for(lambda: len(fake_api.texts(11)) >= 2)
    fake_api.message(ADA, PRIVATE, "/stats")
    [photo] = await fake_api.wait_for(lambda: fake_api.sent("sendPhoto", 11), timeout=20)
    assert photo.files["photo"].startswith(b"\x89PNG")
    fake_api.message(ADA, PRIVATE, "/export")
    [doc] = await fake_api.wait_for(lambda: fake_api.sent("sendDocument", 11), timeout=20)
    assert doc.files["document"][:2] == b"PK"


async def test_poll_map_survives_in_the_database(
    fake_api: FakeBotApi, telegram: TelegramAdapter, studybot: StudyBot
) -> None:
    fake_api.message(ADA, PRIVATE, "/mc")
    await fake_api.wait_for(lambda: fake_api.sent("sendPoll", 11))
    stored_raw = None
    for _ in range(200):  # the adapter stores the ref once the Bot API has answered
        if (stored_raw := await studybot.recall("tg:poll:1")) is not None:
            break
        await asyncio.sleep(0.02)
    assert stored_raw is not None
    stored = json.loads(stored_raw)
    assert stored["chat"] == 11 and all(isinstance(decode(a), Pick) for a in stored["actions"])


async def test_one_chats_updates_are_answered_in_order(fake_api: FakeBotApi, telegram: TelegramAdapter) -> None:
    # Both arrive in one getUpdates batch: the question must come in the language just chosen.
    fake_api.message(ADA, PRIVATE, "/lang zh")
    fake_api.message(ADA, PRIVATE, "/quiz")
    confirmation, question = (await fake_api.wait_for(lambda: fake_api.texts(11)[1:] and fake_api.texts(11)))[:2]
    assert "之后我会说中文" in confirmation
    assert any("\u4e00" <= ch <= "\u9fff" for ch in question) and "/lang" not in question


async def test_a_migration_whose_new_id_arrives_first_keeps_the_groups_data(
    fake_api: FakeBotApi, telegram: TelegramAdapter, store: SqlStore
) -> None:
    from sqlalchemy import select

    from bot.storage.tables import chats, subscriptions

    old, new = chat(-501, "group"), chat(-100501, "supergroup")
    admin = user(52, "Admin")
    fake_api.admins[-501] = {52}
    fake_api.message(admin, old, "/lang zh")
    fake_api.message(admin, old, "/daily 09:00 UTC")
    await fake_api.wait_for(lambda: len(fake_api.texts(-501)) >= 2)
    fake_api.message(admin, new, "/help")  # the new id is seen before the migration message
    await fake_api.wait_for(lambda: fake_api.texts(-100501))
    fake_api.push(
        {
            "message": {
                "message_id": 9001,
                "date": 0,
                "chat": old,
                "from": admin,
                "migrate_to_chat_id": -100501,
            }
        }
    )

    async def merged() -> tuple[list[str], object, object]:
        async with store.engine.connect() as conn:
            rows = (await conn.execute(select(chats.c.external_id, chats.c.lang, chats.c.id))).all()
            ids = [r.external_id for r in rows]
            new_row = next((r for r in rows if r.external_id == "-100501"), None)
            sub = None
            if new_row is not None:
                sub = (
                    await conn.execute(select(subscriptions.c.id).where(subscriptions.c.chat_id == new_row.id))
                ).scalar()
            return ids, new_row.lang if new_row else None, sub

    for _ in range(300):
        ids, lang, sub = await merged()
        if "-501" not in ids:
            break
        await asyncio.sleep(0.02)
    assert "-501" not in ids and lang == "zh" and sub is not None  # language and subscription moved
