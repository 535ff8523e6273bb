"""The terminal chat's line editor: prompt-toolkit, imported only when a person is at a terminal.

Arrow keys move and edit, Up/Down and Ctrl-R recall earlier messages (kept in a history file
when there is a data folder), and a bracketed paste of several lines lands in the buffer as one
message that Enter sends. Lines have no length limit (the terminal's 4,095-character canonical
line limit applies to cooked mode; prompt-toolkit reads raw). Output the bot prints while the
prompt waits (a round closing, the question of the day) appears above the prompt.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout

PROMPT = "> "
MORE = "… "


def line_reader(history_file: Path | None) -> Callable[[bool], Awaitable[str | None]]:
    history: History = InMemoryHistory()
    if history_file is not None:
        try:
            history_file.parent.mkdir(parents=True, exist_ok=True)
            history = FileHistory(str(history_file))
        except OSError:
            pass  # a read-only data folder: history for this session only
    session: PromptSession[str] = PromptSession(history=history)

    async def read(more: bool) -> str | None:
        try:
            with patch_stdout(raw=True):
                return await session.prompt_async(MORE if more else PROMPT)
        except (EOFError, KeyboardInterrupt):  # Ctrl-D / Ctrl-C: the end of the chat
            return None

    return read
