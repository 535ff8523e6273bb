"""Rendering without a network: escaping, styles, Discord's limits, buttons, files, slash command payloads."""

from __future__ import annotations

from bot.adapters.discord.commands import ZhTranslator, build_commands
from bot.adapters.discord.components import AnswerModal, modal_answer
from bot.adapters.discord.render import (
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    NO_MENTIONS,
    clean,
    render,
)
from bot.core.actions import AnswerForm, Ask, FollowUp, Hint, Pick, Reveal, Skip
from bot.core.commands import VISIBLE
from bot.core.events import Attachment, Button, Part, Poll, Reply, ReplyKind
from bot.core.i18n import t
from bot.core.modes import Mode

HOSTILE = "**bold** @everyone <@123> ||x||"


def test_hostile_text_is_escaped_and_mentions_are_inert() -> None:
    out = clean(HOSTILE)
    assert "**" not in out.replace("\\*\\*", "")
    assert "\\*\\*bold\\*\\*" in out
    assert "@everyone" not in out and "@\u200beveryone" in out
    assert "<@123>" not in out
    assert "\\|\\|x\\|\\|" in out
    (msg,) = render(Reply((Part(HOSTILE),), lang="en"))
    assert msg.embeds[0].description == out
    mentions: dict[str, object] = msg.kwargs()["allowed_mentions"].to_dict()
    assert mentions == dict(NO_MENTIONS.to_dict()) == {"parse": []}


def test_styles() -> None:
    reply = Reply(
        (
            Part("Title", "title"),
            Part("model answer", "spoiler"),
            Part("covered", "ok"),
            Part("missed", "miss"),
            Part("point", "item"),
            Part("small print", "note"),
            Part("a `b`", "code"),
            Part("plain"),
        ),
        lang="en",
    )
    (msg,) = render(reply)
    assert (msg.embeds[0].description or "").split("\n") == [
        "**Title**",
        "||model answer||",
        "✅ covered",
        "❌ missed",
        "• point",
        "*small print*",
        "a \\`b\\`",
        "plain",
    ]


def test_long_replies_are_split_within_discords_limits() -> None:
    paragraphs = tuple(Part(f"paragraph {i} " + "word " * 150) for i in range(60))  # ~45,000 characters
    huge = Part("x" * 9000, "spoiler")  # one paragraph longer than a description
    starred = Part("*" * 3000)  # escaping doubles it
    reply = Reply((*paragraphs, huge, starred), buttons=((Button("Next", Ask(Mode.QUIZ)),),), lang="en")
    messages = render(reply)
    assert len(messages) > 10
    for m in messages:
        assert len(m.embeds) == 1
        assert len(m.embeds[0].description or "") <= DESCRIPTION_LIMIT
        assert len(m.embeds[0]) <= EMBED_TOTAL_LIMIT
        assert len(m.content or "") <= CONTENT_LIMIT
    joined = "\n".join(m.embeds[0].description or "" for m in messages)
    for i in range(60):
        assert f"paragraph {i} " in joined
    assert joined.count("x") == 9000
    assert joined.count("\\*") == 3000
    assert all(not m.rows for m in messages[:-1]) and messages[-1].rows  # buttons on the last one


def test_question_gets_an_answer_button_and_core_buttons_keep_their_actions() -> None:
    reply = Reply(
        (Part("Question", "title", "quiz.title"), Part("What is RAG?")),
        kind=ReplyKind.QUESTION,
        buttons=(
            (Button("Hint", Hint(7)), Button("Reveal", Reveal(7)), Button("Skip", Skip(7))),
            (Button("too long", FollowUp("x" * 120)),),
        ),
        answer_form=AnswerForm(session=7),
        lang="en",
    )
    (msg,) = render(reply)
    ids = [[b.custom_id for b in row] for row in msg.rows]
    assert ids == [["sba:session:7", "sb:hint:7", "sb:reveal:7", "sb:skip:7"]]  # over-long custom_id dropped
    assert msg.rows[0][0].label == "Answer" and msg.rows[0][0].answer


def test_multiple_choice_is_buttons_without_a_modal() -> None:
    reply = Reply(
        (Part("Pick one", "title", "mc.title"),),
        kind=ReplyKind.QUESTION,
        buttons=tuple((Button(str(i + 1), Pick(3, i)),) for i in range(4)),
        poll=Poll("q", ("a", "b", "c", "d"), 0, "", tuple(Pick(3, i) for i in range(4))),
        lang="en",
    )
    (msg,) = render(reply)
    assert [[b.custom_id for b in row] for row in msg.rows] == [[f"sb:mc:3:{i}"] for i in range(4)]


def test_answer_label_follows_the_replys_language() -> None:
    typed, form = t("zh", "quiz.prompt_private"), t("zh", "discord.prompt_private")
    zh = Reply(
        (Part(typed, "note", "quiz.prompt_private", form_text=form),),
        kind=ReplyKind.QUESTION,
        answer_form=AnswerForm(session=1),
        lang="zh",
    )
    (msg,) = render(zh)
    assert msg.rows[0][0].label == t("zh", "btn.answer")
    assert "作答" in (msg.embeds[0].description or "")  # Discord wording: press the button, not "reply"


def test_attachment_becomes_a_file_and_images_show_in_the_embed() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    reply = Reply(
        (Part("Stats", "title"),),
        attachment=Attachment("../../etc/stats chart.png", png, "image", "A chart"),
        lang="en",
    )
    (msg,) = render(reply)
    assert msg.filename == "stats_chart.png"
    assert msg.embeds[0].image.url == "attachment://stats_chart.png"
    assert "*A chart*" in (msg.embeds[0].description or "")
    (f,) = msg.files()
    assert f.filename == "stats_chart.png" and f.fp.read() == png


async def test_views_and_modal_build() -> None:
    reply = Reply(
        (Part("Q"),),
        kind=ReplyKind.QUESTION,
        buttons=((Button("Hint", Hint(1)),),),
        answer_form=AnswerForm(round=4),
        lang="en",
    )
    (msg,) = render(reply)
    view = msg.view()
    assert view is not None
    assert [c["custom_id"] for row in view.to_components() for c in row["components"]] == ["sba:round:4", "sb:hint:1"]
    modal = AnswerModal("round:4", "Answer", "Answer")
    assert modal.custom_id == "sbm:round:4"
    assert modal.answer.max_length == 4000 and modal.answer.style.value == 2


def test_modal_answer_is_found_in_rows_and_labels() -> None:
    row = [{"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "rows"}]}]
    label = [{"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "label"}}]
    assert modal_answer(row) == "rows"
    assert modal_answer(label) == "label"
    assert modal_answer([]) is None


async def test_every_visible_command_is_a_slash_command_with_chinese_localisations() -> None:
    commands = build_commands()
    assert [c.name for c in commands] == list(VISIBLE)
    import discord
    from discord import app_commands

    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents.none()))
    translator = ZhTranslator()
    quiz = next(c for c in commands if c.name == "quiz")
    payload = await quiz.get_translated_payload(tree, translator)
    assert payload["description"] == t("en", "cmd.quiz")
    assert payload["description_localizations"]["zh-CN"] == t("zh", "cmd.quiz")
    assert payload["name_localizations"]["zh-CN"] == "问答"
    (topic,) = payload["options"]
    assert topic["name"] == "topic" and topic["autocomplete"] is True and topic["required"] is False
    for c in commands:
        p = await c.get_translated_payload(tree, translator)
        assert 1 <= len(p["description"]) <= 100
        assert all(len(v) <= 100 for v in p["description_localizations"].values())


def test_a_role_mention_asked_for_by_the_core_pings_only_that_role() -> None:
    reply = Reply(
        (Part("Question of the day", "title"), Part(HOSTILE)), kind=ReplyKind.QUESTION, mention="555", lang="en"
    )
    (msg,) = render(reply)
    kw = msg.kwargs()
    assert kw["content"] == "<@&555>"
    assert kw["allowed_mentions"].to_dict() == {"parse": [], "roles": [555]}
    assert "@everyone" not in (msg.embeds[0].description or "")
    (plain,) = render(Reply((Part("x"),), mention="<@&1> @everyone", lang="en"))  # not an id: ignored
    assert plain.content is None and plain.kwargs()["allowed_mentions"].to_dict() == {"parse": []}


SIMPLIFIED_ONLY = set("来题选择语时区复习计统图连续数据删关联进导组评过账设间闪说务")


def test_zh_tw_localisations_are_traditional_chinese() -> None:
    """Every zh-TW text differs from zh-CN where the Simplified one has a simplified character."""
    from bot.adapters.discord import zh_tw
    from bot.adapters.discord.commands import OPTIONS, ZH_NAMES

    texts = [*zh_tw.NAMES.values(), *zh_tw.DESCRIPTIONS.values(), *zh_tw.OPTIONS.values()]
    assert not [t for t in texts if SIMPLIFIED_ONLY & set(t)]
    assert set(zh_tw.NAMES) == set(ZH_NAMES) and set(zh_tw.DESCRIPTIONS) == set(ZH_NAMES)
    assert {zh for _, zh in OPTIONS.values()} == set(zh_tw.OPTIONS)
