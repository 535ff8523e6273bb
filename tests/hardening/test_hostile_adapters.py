"""The hostile corpus through every adapter's pure parse and render functions: nothing raises,
everything is escaped, every message fits its platform's limits."""

from __future__ import annotations

import asyncio
import io
from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from telegram import Message

from bot.adapters import terminal
from bot.adapters.discord import commands as discord_commands
from bot.adapters.discord.components import modal_answer, safe_ref
from bot.adapters.telegram import parse as telegram_parse
from bot.core.actions import decode
from bot.core.clock import canonical_zone, zone
from bot.core.commands import parse_command
from bot.core.daily.schedule import parse_days, parse_time
from bot.core.events import Reply
from tests.hardening.hostile import (
    CORPUS,
    LOCALES,
    ZONES,
    check_discord,
    check_telegram,
    check_terminal,
    command_line,
    corpus,
    hostile_name,
    hostile_text,
    reply,
    short_text,
)

# -- Telegram: updates in ---------------------------------------------------------------------------

telegram_user = st.fixed_dictionaries(
    {"id": st.integers(1, 2**52), "is_bot": st.booleans(), "first_name": hostile_name},
    optional={
        "last_name": hostile_name,
        "username": short_text,
        "language_code": st.sampled_from([loc for loc in LOCALES if loc is not None]),
    },
)
telegram_chat = st.fixed_dictionaries(
    {
        "id": st.integers(-(2**52), 2**52),
        "type": st.sampled_from(["private", "group", "supergroup", "channel", "sender", "weird"]),
    },
    optional={"title": hostile_name},
)


@corpus(200)
@given(
    user=telegram_user,
    chat=telegram_chat,
    text=st.one_of(hostile_text, command_line()),
    caption=st.booleans(),
    reply_to_bot=st.booleans(),
    admin=st.booleans(),
)
def test_telegram_messages_parse_into_core_events(
    user: dict[str, Any], chat: dict[str, Any], text: str, caption: bool, reply_to_bot: bool, admin: bool
) -> None:
    CORPUS["telegram parse"] += 1
    data: dict[str, Any] = {
        "message_id": 1,
        "date": 0,
        "chat": chat,
        "from": user,
        ("caption" if caption else "text"): text,
    }
    if reply_to_bot:
        data["reply_to_message"] = {
            "message_id": 0,
            "date": 0,
            "chat": chat,
            "from": {"id": 999_001, "is_bot": True, "first_name": "studybot"},
        }
    message = Message.de_json(data, None)
    inc = telegram_parse.incoming_from_message(message, 999_001, "studybot_test_bot", admin)
    if inc is None:
        return
    assert inc.text == text and len(inc.user_name) <= 128
    assert inc.chat.platform == inc.user.platform == telegram_parse.PLATFORM
    telegram_parse.for_another_bot(text, "studybot_test_bot")
    action = telegram_parse.incoming_from_action(chat["id"], chat["type"], message.from_user, text)  # type: ignore[arg-type]
    assert action.action == decode(text)


# -- Discord: interactions in -----------------------------------------------------------------------


class _Recorder:
    def __init__(self) -> None:
        self.lines: list[str] = []

    async def on_command(self, interaction: Any, line: str) -> None:
        self.lines.append(line)


@corpus(150)
@given(
    name=st.sampled_from(sorted(discord_commands.WITH_OPTIONS)),
    option=hostile_text,
    components=st.lists(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from([1, 4, 18, 99]),
                "custom_id": st.sampled_from(["answer", "other", ""]),
                "value": st.one_of(st.none(), hostile_text),
            }
        ),
        max_size=3,
    ),
)
def test_discord_options_and_modal_values_become_command_lines(
    name: str, option: str, components: list[dict[str, Any]]
) -> None:
    CORPUS["discord parse"] += 1
    recorder = _Recorder()
    interaction = SimpleNamespace(client=SimpleNamespace(studybot_handler=recorder))
    asyncio.run(discord_commands._run(interaction, name, option))  # type: ignore[arg-type]
    (line,) = recorder.lines
    command = parse_command(line)
    assert command is not None and command.name in (name, "a")
    nested = [{"type": 1, "components": components}, {"type": 18, "component": components[0]}] if components else []
    found = modal_answer(nested)
    assert found is None or isinstance(found, str)
    assert len(safe_ref(option)) <= 90


# -- replies out --------------------------------------------------------------------------------------


@corpus(250)
@given(r=reply, in_group=st.booleans())
def test_generated_replies_render_within_limits_everywhere(r: Reply, in_group: bool) -> None:
    CORPUS["render"] += 1
    check_telegram(r, in_group=in_group)
    check_discord(r)
    check_terminal(r)


# -- terminal, and the small parsers every platform shares ----------------------------------------


@corpus(100)
@given(line=st.one_of(hostile_text, hostile_name.map(lambda n: "/as " + n)))
def test_terminal_speaker_switch_and_echo_are_safe(line: str) -> None:
    CORPUS["terminal"] += 1
    chat = terminal.TerminalChat(bot=None, group="room")  # type: ignore[arg-type]
    speaker = chat.switch_user(line)
    assert speaker is None or (len(speaker) <= 64 and terminal.safe(speaker) == speaker)
    out = io.StringIO()
    chat.show([Reply((), lang="en")], out, color=False)
    assert "\x1b" not in out.getvalue()


@corpus(150)
@given(text=st.one_of(hostile_text, st.sampled_from(ZONES)))
def test_time_day_and_zone_parsers_never_raise(text: str) -> None:
    CORPUS["parsers"] += 1
    parsed = parse_time(text)
    assert parsed is None or (0 <= parsed[0] < 24 and 0 <= parsed[1] < 60)
    days = parse_days(text)
    assert days is None or days <= frozenset(range(7))
    name = canonical_zone(text)
    assert name is None or zone(name) is not None
    parse_command(text)
