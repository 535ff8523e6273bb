"""The command table: every command, what adapters need to know about it, and parsing.

Adapters read this table instead of keeping lists of their own: which commands to register
(and in which order), what they are described as, which ones make a group reply depend on
whether the sender is an admin (Telegram looks that up only for those), and which ones answer
privately first (Discord then defers them ephemerally).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from bot.core.i18n import t


class Where(Enum):
    ANYWHERE = "anywhere"
    PRIVATE = "private"  # personal: reveals or changes something private, answered in private chats only
    GROUP = "group"  # about a group (its leaderboard): in a private chat it only says so


@dataclass(frozen=True)
class CommandSpec:
    name: str
    visible: bool = True  # listed by /help and registered with the platforms
    where: Where = Where.ANYWHERE
    admin_sensitive: bool = False  # in a group, what it does depends on whether the sender is an admin
    ephemeral_first: bool = False  # its first reply is for the sender alone
    group_admin: bool = False  # in a group only its admins may use it (platforms may hide it from others there)


# Shown by /help and registered with the platforms, in this order; then the hidden ones.
TABLE: tuple[CommandSpec, ...] = (
    CommandSpec("start"),
    CommandSpec("help"),
    CommandSpec("quiz"),
    CommandSpec("mc"),
    CommandSpec("review", where=Where.PRIVATE),
    CommandSpec("interview", where=Where.PRIVATE),
    CommandSpec("hint"),
    CommandSpec("reveal", admin_sensitive=True),  # a round's starter or an admin reveals it
    CommandSpec("skip"),
    CommandSpec("stats"),
    CommandSpec("topics"),
    CommandSpec("leaderboard", where=Where.GROUP),
    CommandSpec("daily", admin_sensitive=True, group_admin=True),
    CommandSpec("remind", where=Where.PRIVATE, admin_sensitive=True),
    CommandSpec("link", where=Where.PRIVATE, ephemeral_first=True),
    CommandSpec("export", where=Where.PRIVATE),
    CommandSpec("appeal", where=Where.PRIVATE),
    CommandSpec("forget", where=Where.PRIVATE, ephemeral_first=True),
    CommandSpec("lang", admin_sensitive=True, group_admin=True),
    CommandSpec("timezone", admin_sensitive=True, group_admin=True),
    # Accepted but not listed: /a is how group members answer; /followup is offered as a button.
    CommandSpec("a", visible=False),
    CommandSpec("followup", visible=False, where=Where.PRIVATE),
)
SPECS = {spec.name: spec for spec in TABLE}
VISIBLE = tuple(spec.name for spec in TABLE if spec.visible)
ALIASES = {
    "answer": "reveal",
    "tz": "timezone",
    "language": "lang",
    "q": "quiz",
    "next": "quiz",
    "more": "followup",
    "follow": "followup",
    "top": "leaderboard",
    "delete": "forget",
    "mock": "interview",
}

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?:\s+|$)(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Command:
    name: str  # canonical (aliases resolved), lowercase
    args: str
    typed: str  # as the user wrote it, for "unknown command" replies

    @property
    def spec(self) -> CommandSpec | None:
        return SPECS.get(self.name)


def visible_commands() -> tuple[str, ...]:
    return VISIBLE


Menu = Literal["private", "group", "group_admin"]


def menu(scope: Menu) -> tuple[str, ...]:
    """What a platform's command menu offers in private chats, to a group's members, to its admins:
    personal commands only in private, /a (how members answer a round) only in groups, a group's
    settings only to its admins."""
    if scope == "private":
        return tuple(n for n in VISIBLE if SPECS[n].where is not Where.GROUP)
    group = [n for n in VISIBLE if SPECS[n].where is not Where.PRIVATE and not SPECS[n].group_admin]
    if scope == "group_admin":
        group += [n for n in VISIBLE if SPECS[n].where is not Where.PRIVATE and SPECS[n].group_admin]
    return ("a", *group)


def description(name: str, lang: str) -> str:
    """What the command does, in `lang`, as /help and the platforms' command menus show it."""
    return t(lang, f"cmd.{name}")


def parse_command(text: str) -> Command | None:
    """The command in `text`, or None when the text is not a command."""
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    typed = match.group(1).lower()
    return Command(ALIASES.get(typed, typed), match.group(2).strip(), typed)


def is_known(name: str) -> bool:
    return name in SPECS


def admin_sensitive(text: str) -> bool:
    """`text` is a command whose effect in a group depends on whether its sender is an admin."""
    command = parse_command(text)
    return command is not None and command.spec is not None and command.spec.admin_sensitive


def ephemeral_first(name: str) -> bool:
    spec = SPECS.get(name)
    return spec is not None and spec.ephemeral_first
