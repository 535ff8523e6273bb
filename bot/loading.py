"""The "loading…" line: shown on stderr when start-up keeps a person waiting past a moment.

A timer thread, so that it appears even while the main thread is busy importing or loading;
cancelled by `done()` when the first prompt appears first (a fast start prints nothing).
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

# Past this a blank screen reads as a hang (the usual threshold for "instant" feedback).
AFTER_SECONDS = 0.3


class LoadingNotice:
    def __init__(self, text: str, out: TextIO | None = None, after: float = AFTER_SECONDS) -> None:
        self._text = text
        self._out = out or sys.stderr
        self._timer = threading.Timer(after, self._show)
        self._timer.daemon = True
        self.shown = False

    def start(self) -> LoadingNotice:
        self._timer.start()
        return self

    def done(self) -> None:
        self._timer.cancel()

    def _show(self) -> None:
        self.shown = True
        self._out.write(self._text + "\n")
        self._out.flush()
