"""Command names and parsing: "/quiz@studybot rag" -> ("quiz", "rag")."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Shown by /help and registered with the platforms, in this order.
VISIBLE = (
    "start",
    "help",
    "quiz",
    "mc",
    "review",
    "hint",
    "reveal",
    "skip",
    "stats",
    "topics",
    "leaderboard",
    "daily",
    "remind",
    "link",
    "export",
    "appeal",
    "forget",
    "lang",
    "timezone",
)
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
}
# Accepted but not listed: /a is how group members answer; /followup is offered as a button.
HIDDEN = ("a", "followup")
# Personal commands that reveal or change something private: answered in private chats only.
PRIVATE_ONLY = ("review", "link", "export", "forget", "appeal", "followup", "remind")

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?:\s+|$)(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Command:
    name: str  # canonical (aliases resolved), lowercase
    args: str
    typed: str  # as the user wrote it, for "unknown command" replies


def visible_commands() -> tuple[str, ...]:
    return VISIBLE


def parse_command(text: str) -> Command | None:
    """The command in `text`, or None when the text is not a command."""
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    typed = match.group(1).lower()
    return Command(ALIASES.get(typed, typed), match.group(2).strip(), typed)


def is_known(name: str) -> bool:
    return name in VISIBLE or name in HIDDEN
