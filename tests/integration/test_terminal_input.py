"""The terminal chat takes answers as people write them: edited, recalled, pasted over several lines.

Interactive mode runs under a pseudo-terminal (prompt-toolkit's line editor, bracketed paste);
piped input keeps one message per line, with the explicit `\"\"\"` block for several lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_cli import studybot
from tests.ptychat import PROMPT, PtyChat

pytestmark = pytest.mark.slow

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
LEFT, UP, BACKSPACE = "\x1b[D", "\x1b[A", "\x7f"


@pytest.fixture
def chat(tmp_path: Path) -> Iterator[PtyChat]:
    # No cursor-position request: the pty answers none, and prompt-toolkit would wait for it.
    c = PtyChat(tmp_path, "chat", PROMPT_TOOLKIT_NO_CPR="1")
    c.read_until(PROMPT)
    yield c
    c.close()


def test_a_pasted_multi_line_answer_is_one_message(chat: PtyChat) -> None:
    chat.type("/quiz\r")
    chat.read_until(r"Question ·")
    lines = [
        "It adds trainable low-rank matrices beside the frozen weights,",
        "so only a small fraction of parameters is trained and stored;",
        "the update B times A can be merged back after training.",
    ]
    chat.type(PASTE_START + "\n".join(lines) + PASTE_END)
    chat.type("\r")
    screen = chat.read_until(r"Score: \d+/100")
    assert "No question is open" not in screen
    assert screen.count("Score:") == 1


def test_arrow_keys_edit_and_history_recalls(chat: PtyChat) -> None:
    chat.type("/hxlp" + LEFT + LEFT + BACKSPACE + "e\r")  # "/hxlp" corrected to "/help" mid-line
    first = chat.read_until(r"Commands")
    assert "^[[D" not in first
    chat.type(UP + "\r")  # the same message again from history
    chat.read_until(r"Commands[\s\S]*Commands")


def test_a_very_long_line_arrives_whole(chat: PtyChat) -> None:
    chat.type("/quiz\r")
    chat.read_until(r"Question ·")
    long_answer = "Low-rank adapters train small matrices beside frozen weights. " * 80  # ~5,000 characters
    chat.type(long_answer + "\r")
    screen = chat.read_until(r"Score: \d+/100")
    assert "too long" not in screen


def test_piped_input_sends_a_block_as_one_message(tmp_path: Path) -> None:
    block = '/quiz\n"""\nLoRA trains low-rank matrices\nbeside the frozen weights\n"""\n'
    result = studybot(["chat"], tmp_path, block)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("== Score:") == 1
    assert "No question is open" not in result.stdout


def test_piped_lines_stay_separate_messages(tmp_path: Path) -> None:
    result = studybot(["chat"], tmp_path, "/quiz\nok\n/skip\n")
    assert "Send your full answer, or /skip" in result.stdout
    assert "Skipped" in result.stdout or "skip" in result.stdout.lower()
