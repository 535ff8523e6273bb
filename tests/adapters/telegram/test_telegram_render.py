"""Pure parse and render functions, without a server."""

from __future__ import annotations

from telegram import Message

from bot.adapters.telegram.parse import for_another_bot, incoming_from_message
from bot.adapters.telegram.render import keyboard, part_html, render_poll, render_text
from bot.core.actions import FollowUp, Hint, Pick
from bot.core.events import Button, ChatKind, Part, Poll, Reply, ReplyKind


def test_every_style_is_escaped() -> None:
    nasty = "<b>&amp;</b> <tg-spoiler>x</tg-spoiler> *md* _i_"
    for style in ("plain", "title", "spoiler", "ok", "miss", "item", "note", "code"):
        out = part_html(Part(nasty, style))
        assert "<b>&amp;</b>" not in out and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in out


def test_spoiler_title_and_bullets() -> None:
    assert part_html(Part("answer", "spoiler")) == "<tg-spoiler>answer</tg-spoiler>"
    assert part_html(Part("t", "title")) == "<b>t</b>"
    assert part_html(Part("k", "ok")).startswith("✅")


def test_callback_data_over_64_bytes_is_dropped_not_sent() -> None:
    reply = Reply((Part("x"),), buttons=((Button("ok", Hint(1)), Button("long", FollowUp("x" * 65))),), lang="en")
    markup = keyboard(reply)
    assert markup is not None and [b.callback_data for b in markup.inline_keyboard[0]] == ["hint:1"]


def test_group_questions_ask_for_a_reply() -> None:
    question = Reply((Part("Q?"),), kind=ReplyKind.QUESTION, lang="en")
    [out] = render_text(question, force_reply=True)
    assert out.markup is not None and out.markup.to_dict()["force_reply"] is True


def test_poll_explanation_and_question_limits() -> None:
    poll = Poll("Q" * 400, ("a", "b", "c", "d"), 2, "e" * 500, tuple(Pick(1, i) for i in range(4)))
    out = render_poll(Reply((Part("title", "title"), Part("Q" * 400)), poll=poll, lang="en"))
    assert len(out.question) <= 300 and len(out.explanation) <= 200 and out.intro


def _message(text: str, chat_type: str = "private", reply_to_bot: bool = False) -> Message:
    data = {
        "message_id": 1,
        "date": 0,
        "text": text,
        "chat": {"id": -5 if chat_type != "private" else 5, "type": chat_type},
        "from": {"id": 5, "is_bot": False, "first_name": "A", "language_code": "zh-hans"},
    }
    if reply_to_bot:
        data["reply_to_message"] = {
            "message_id": 0,
            "date": 0,
            "chat": data["chat"],
            "from": {"id": 99, "is_bot": True, "first_name": "bot"},
        }
    return Message.de_json(data, None)


def test_parse_messages() -> None:
    inc = incoming_from_message(_message("/quiz@mybot rag"), 99, "mybot")
    assert inc is not None and inc.text == "/quiz@mybot rag" and inc.locale == "zh-hans"
    assert incoming_from_message(_message("/quiz@otherbot"), 99, "mybot") is None
    group = incoming_from_message(_message("my answer", "supergroup", reply_to_bot=True), 99, "mybot")
    assert group is not None and group.addressed and group.chat_kind is ChatKind.GROUP
    assert for_another_bot("/start@Other_Bot", "mybot") and not for_another_bot("/start@MyBot", "mybot")
    assert incoming_from_message(_message("hi", "channel"), 99, "mybot") is None


def test_escaping_that_multiplies_length_still_fits() -> None:
    outs = render_text(Reply((Part("&" * 9000, "spoiler"), Part("<" * 3000, "title")), lang="en"))
    assert all(len(o.html) <= 4096 for o in outs)
    assert sum(o.html.count("&amp;") for o in outs) == 9000
