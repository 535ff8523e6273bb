"""The terminal chat: the core in a terminal, no token needed.

It is an adapter like the others: it turns each input line into an Incoming and renders the
replies as plain text. Piped input works the same as typing (`printf '/quiz\\n...' | studybot chat`).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import TextIO

from bot.adapters.styling import Emphasis, Mark, Markup, wrapped
from bot.core.app import StudyBot
from bot.core.events import ChatKind, ChatRef, Incoming, Part, Reply, UserRef
from bot.core.labels import only_sees
from bot.core.sending import Delivered, SendResult

PLATFORM = "terminal"
# The name of whoever did not give one (`studybot chat` without --user): not a name to greet by.
DEFAULT_USER = "you"

# Escape sequences and control characters in content or names could drive the terminal.
_UNSAFE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    return _UNSAFE.sub("", text)


def _boxed(text: str) -> str:
    return "\n".join("  │ " + line for line in text.splitlines() or [""])


def _indented(text: str) -> str:
    return "  " + text.replace("\n", "\n  ")


_MARKS = {Mark.OK: "  ✓ ", Mark.MISS: "  ✗ ", Mark.ITEM: "  • "}
# A terminal shows bold and dim; piped output gets plain-text equivalents.
COLOR = Markup(
    safe,
    {
        Emphasis.STRONG: wrapped("\x1b[1m", "\x1b[0m"),
        Emphasis.HIDDEN: _boxed,
        Emphasis.SUBTLE: wrapped("\x1b[2m", "\x1b[0m"),
    },
    _MARKS,
    indent_marked=True,
)
PLAIN = Markup(
    safe,
    {Emphasis.STRONG: wrapped("== ", " =="), Emphasis.HIDDEN: _boxed, Emphasis.SUBTLE: _indented},
    _MARKS,
    indent_marked=True,
)


def render_part(part: Part, color: bool) -> str:
    return (COLOR if color else PLAIN).render(part)


def forget_files(out_dir: Path | None, prefix: str) -> None:
    """Delete the charts and decks saved for a learner who asked to be forgotten."""
    if out_dir is None or not prefix or "/" in prefix:
        return
    for path in out_dir.glob(f"{prefix}*"):
        path.unlink(missing_ok=True)


def render(reply: Reply, color: bool = False, out_dir: Path | None = None) -> str:
    if reply.forget_files is not None:
        forget_files(out_dir, reply.forget_files)
    lines = [render_part(p, color) for p in reply.parts]
    commands = [b.command for row in reply.buttons for b in row if b.command]
    if commands and reply.poll is None:
        lines.append("→ " + " · ".join(commands))
    if reply.attachment is not None and out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        name = Path(reply.attachment.filename).name  # never a path from elsewhere
        path = out_dir / name
        path.write_bytes(reply.attachment.data)
        lines.append(f"[saved {path}]")
    return "\n".join(lines)


class TerminalChat:
    """One person in a private chat, or (with `group`) several people taking turns in one room.

    In a group, `/as NAME` switches who is typing; the first person is the room's admin, and
    every line that is not a command answers the open round.
    """

    def __init__(
        self,
        bot: StudyBot,
        user: str = DEFAULT_USER,
        locale: str | None = None,
        out_dir: Path | None = None,
        group: str | None = None,
    ) -> None:
        self.bot = bot
        self.user = user
        self.admin = user
        self.locale = locale
        self.out_dir = out_dir
        self.group = group
        self.ref = ChatRef(PLATFORM, f"group:{group}" if group else user)
        self.out: TextIO = sys.stdout
        self.color = False

    async def say(self, text: str) -> list[Reply]:
        inc = Incoming(
            chat=self.ref,
            user=UserRef(PLATFORM, self.user),
            user_name="" if self.user == DEFAULT_USER and not self.group else self.user,
            chat_kind=ChatKind.GROUP if self.group else ChatKind.PRIVATE,
            locale=self.locale,
            text=text,
            addressed=self.group is not None,
            is_admin=self.user == self.admin,
        )
        return await self.bot.handle(inc)

    def switch_user(self, text: str) -> str | None:
        """Handle the adapter's own `/as NAME`; the new speaker's name, or None if not that command."""
        if not self.group or not text.startswith("/as "):
            return None
        name = safe(text[4:].strip())[:64]
        if name:
            self.user = name
        return self.user

    platform = PLATFORM

    async def start(self) -> None:
        """Nothing to connect: `run` reads the input."""

    async def stop(self) -> None:
        """Nothing to disconnect."""

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        """What the bot says on its own (the question of the day, a round's summary) appears here."""
        if chat == self.ref:
            self.show([reply], self.out, self.color)
        return Delivered()

    async def revoked(self) -> str:
        """No token here: never."""
        await asyncio.Event().wait()
        return ""

    async def close_rounds(self, out: TextIO, color: bool) -> None:
        """Post the summary of any round whose time ran out (a group room's timer)."""
        for outgoing in await self.bot.close_due_rounds():
            if outgoing.chat == self.ref:
                self.show([outgoing.reply], out, color)

    def show(self, replies: Iterable[Reply], out: TextIO, color: bool) -> None:
        for reply in replies:
            if reply.ephemeral and self.group:
                out.write(only_sees(reply.lang, name=safe(self.user)) + "\n")
            out.write(render(reply, color, self.out_dir) + "\n\n")
        out.flush()

    async def run(
        self, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, ready: Callable[[], None] | None = None
    ) -> None:
        """Read messages until the input ends (or /quit); `ready` runs once, before the first read.

        At a terminal, prompt-toolkit edits the line (arrows, history, Ctrl-R) and takes a pasted
        multi-line answer as one message; piped, each line is a message. Either way a line of three
        double quotes opens a multi-line message that the next such line sends."""
        interactive = stdin.isatty() and stdout.isatty()
        color = stdout.isatty()
        self.out, self.color = stdout, color
        if interactive:
            self.show(await self.say("/start"), stdout, color)
        read = self._line_editor() if interactive else _piped_lines(stdin)
        if ready is not None:
            ready()
        while True:
            text = await _message(read)
            if text is None:
                break
            if not text.strip():
                continue
            if interactive and text.strip() in {"/quit", "/exit"}:
                break
            speaker = self.switch_user(text.strip())
            if speaker is not None:
                stdout.write(f"[now typing: {speaker}]\n\n")
                continue
            if self.group:
                await self.close_rounds(stdout, color)
            self.show(await self.say(text), stdout, color)

    def _line_editor(self) -> LineReader:
        from bot.adapters.line_editor import line_reader

        history = self.out_dir.parent / "chat-history" if self.out_dir is not None else None
        return line_reader(history)


LineReader = Callable[[bool], Awaitable[str | None]]
BLOCK = '"""'


def _piped_lines(stdin: TextIO) -> LineReader:
    async def read(_more: bool) -> str | None:
        line = await asyncio.to_thread(stdin.readline)
        return line.rstrip("\n") if line else None

    return read


async def _message(read: LineReader) -> str | None:
    """The next message: one line, or the lines between two BLOCK lines (None at the end of input)."""
    first = await read(False)
    if first is None or first.strip() != BLOCK:
        return first
    lines: list[str] = []
    while (line := await read(True)) is not None and line.strip() != BLOCK:
        lines.append(line)
    return "\n".join(lines)
