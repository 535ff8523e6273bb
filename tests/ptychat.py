"""`studybot chat` on a pseudo-terminal, as a person at a terminal runs it: type, then read the screen."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

# Terminal control sequences (colours, cursor moves, prompt-toolkit's redraws) are not text.
_CONTROL = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07|\r|\x08")
# The first prompt: prompt-toolkit draws ">" and moves the cursor (no literal space).
PROMPT = r"\n>"


class PtyChat:
    def __init__(self, tmp_path: Path, *args: str, **env: str) -> None:
        environment = {**os.environ, "STUDYBOT_DATA_DIR": str(tmp_path / "data"), "TERM": "xterm", **env}
        for token in ("TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN", "STUDYBOT_DATABASE_URL"):
            environment.pop(token, None)
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *args], stdin=slave, stdout=slave, stderr=slave, env=environment, cwd=tmp_path
        )
        os.close(slave)
        self.raw = b""

    def read_until(self, pattern: str, timeout: float = 90.0) -> str:
        """Everything shown so far (control sequences removed), once `pattern` (a regex) appears in it."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.screen):
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never appeared; the screen:\n{self.screen[-2000:]}")
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.raw += os.read(self.master, 65536)
                except OSError as exc:  # the process ended and closed the terminal
                    if self.proc.poll() is not None:
                        raise AssertionError(f"{pattern!r} never appeared; the screen:\n{self.screen[-2000:]}") from exc
        return self.screen

    @property
    def screen(self) -> str:
        return _CONTROL.sub(b"", self.raw).decode("utf-8", "replace")

    def type(self, keys: str | bytes) -> None:
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        os.close(self.master)
