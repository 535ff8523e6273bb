"""Who may change a group's settings and subscriptions: one table, run on the core (through the harness),
on Telegram (against the fake Bot API, admins from getChatMember) and on Discord (against the fake
Discord, Manage Server from the interaction's permissions).

Every row is a settings or subscription command sent in a group / guild channel by an admin and by
an ordinary member; what each is told is checked, and for refusals, that nothing changed.
"""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.adapters.discord.render import clean
from bot.adapters.telegram.adapter import TelegramAdapter
from bot.core.app import StudyBot
from bot.core.events import ChatKind
from bot.core.i18n import catalog
from tests.adapters.discord.conftest import make_adapter
from tests.adapters.discord.fake_discord import ADMIN_PERMS, MEMBER_PERMS, FakeDiscord, user_payload
from tests.adapters.discord.test_adapter import message_bodies, text_of
from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi, chat, user
from tests.harness import Harness, keys


@dataclass(frozen=True)
class Case:
    name: str
    command: str  # as typed; the Discord driver turns it into the slash command and option
    admin: str  # the catalog key the admin's reply shows
    member: str  # ... and an ordinary member's
    setup: str | None = None  # what happens first: "subscribe" (an admin) or "round" (another member starts one)
    check: str | None = None  # a command whose reply shows that a refused change did not happen
    unchanged: str | None = None  # the key that reply must show


CASES = [
    Case("lang", "/lang zh", "lang.set", "group.admins_only", check="/help", unchanged="help.title"),
    Case(
        "timezone", "/timezone Asia/Shanghai", "tz.set", "group.admins_only", check="/timezone", unchanged="tz.current"
    ),
    Case(
        "daily",
        "/daily 08:30 Europe/Berlin weekdays",
        "daily.set",
        "daily.admins_only",
        check="/daily",
        unchanged="daily.none",
    ),
    Case(
        "daily off",
        "/daily off",
        "daily.off",
        "daily.admins_only",
        setup="subscribe",
        check="/daily",
        unchanged="daily.current",
    ),
    Case("daily show", "/daily", "daily.current", "daily.current", setup="subscribe"),
    Case("reveal another's round", "/reveal", "round.closed", "round.reveal_refused", setup="round"),
    Case("remind (personal)", "/remind on", "error.private_only", "error.private_only"),
    Case("forget (personal)", "/forget", "error.private_only", "error.private_only"),
]
ROLES = ["admin", "member"]


def marker(key: str, lang: str) -> str:
    """The longest literal stretch of a catalog entry: what any rendering of it must contain."""
    return max(re.split(r"\{[^}]*\}", catalog(lang)[key]), key=len).strip()


def shows(text: str, key: str, escape: Callable[[str], str]) -> bool:
    return any(escape(marker(key, lang)) in text for lang in ("en", "zh"))


Say = Callable[[str, str], Awaitable[str]]  # (who: "admin" / "member" / "starter", command) -> what they saw


async def play(case: Case, role: str, say: Say, escape: Callable[[str], str]) -> None:
    if case.setup == "subscribe":
        assert shows(await say("admin", "/daily 07:00 UTC"), "daily.set", escape)
    elif case.setup == "round":
        assert shows(await say("starter", "/quiz"), "round.title", escape)
    seen = await say(role, case.command)
    expected = case.admin if role == "admin" else case.member
    assert shows(seen, expected, escape), (case.name, role, expected, seen[-600:])
    if role == "member" and case.check is not None and case.member != case.admin:
        assert shows(await say("member", case.check), case.unchanged or "", escape), case.name


# -- the core, through the harness ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_core(studybot: StudyBot, case: Case, role: str) -> None:
    group = Harness(studybot, platform="test", user_id="admin", chat_id="g1", chat_kind=ChatKind.GROUP)
    people = {
        "admin": group.as_user("admin", is_admin=True),
        "member": group.as_user("member"),
        "starter": group.as_user("starter"),
    }

    async def say(who: str, command: str) -> str:
        replies = await people[who].say(command)
        return "\n".join(f"[{' '.join(keys([r]))}] {r.plain()}" for r in replies)

    await play(case, role, say, lambda s: s)


# -- Telegram, against the fake Bot API --------------------------------------------------------------

TG_GROUP = -100900
TG_PEOPLE = {"admin": user(601, "Admin"), "member": user(602, "Member"), "starter": user(603, "Starter")}


@pytest.fixture
async def telegram(studybot: StudyBot) -> AsyncIterator[tuple[FakeBotApi, TelegramAdapter]]:
    api = FakeBotApi()
    await api.start()
    api.admins[TG_GROUP] = {601}
    adapter = TelegramAdapter(studybot, TOKEN, base_url=api.base_url, poll_timeout=1)
    await adapter.start()
    yield api, adapter
    await adapter.stop()
    await api.stop()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_telegram(telegram: tuple[FakeBotApi, TelegramAdapter], case: Case, role: str) -> None:
    api, _ = telegram

    async def say(who: str, command: str) -> str:
        person = TG_PEOPLE[who]
        where = (TG_GROUP, person["id"])  # the group, and the person's private chat (private feedback)
        before = {c: len(api.texts(c)) for c in where}
        api.message(person, chat(TG_GROUP, "supergroup"), command)
        await api.wait_for(lambda: any(len(api.texts(c)) > n for c, n in before.items()), timeout=15)
        await asyncio.sleep(0.1)
        return "\n".join(t for c, n in before.items() for t in api.texts(c)[n:])  # only what this command got

    await play(case, role, say, lambda s: html.escape(s, quote=False))


# -- Discord, against the fake Discord ---------------------------------------------------------------

DC_PEOPLE = {
    "admin": (user_payload(701000000000000001, "admin", "Admin"), ADMIN_PERMS),
    "member": (user_payload(702000000000000002, "member", "Member"), MEMBER_PERMS),
    "starter": (user_payload(703000000000000003, "starter", "Starter"), MEMBER_PERMS),
}
SLASH_OPTION = {"lang": "language", "timezone": "zone", "daily": "when", "remind": "setting", "quiz": "topic"}


@pytest.fixture
async def discord(studybot: StudyBot) -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    adapter = make_adapter(studybot, fake)
    await adapter.start()
    yield fake
    await adapter.stop()
    await fake.close()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_discord(discord: FakeDiscord, case: Case, role: str) -> None:
    async def say(who: str, command: str) -> str:
        person, permissions = DC_PEOPLE[who]
        name, _, arg = command[1:].partition(" ")
        options: dict[str, Any] = {SLASH_OPTION[name]: arg} if arg else {}
        interaction = await discord.slash(name, options, user=person, permissions=permissions)
        bodies = await discord.wait_for(lambda: message_bodies(discord, interaction), timeout=15)
        await asyncio.sleep(0.1)
        return "\n".join(text_of(b) for b, _ in message_bodies(discord, interaction) or bodies)

    await play(case, role, say, clean)
