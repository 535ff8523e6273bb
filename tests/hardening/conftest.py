"""Prints the size of the hostile corpus that ran (the issue asks for at least 1,000 inputs)."""

from __future__ import annotations

import pytest

from tests.hardening.hostile import CORPUS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CORPUS:
        inputs = {name: n for name, n in CORPUS.items() if name != "core messages"}
        parts = ", ".join(f"{name} {n}" for name, n in sorted(inputs.items()))
        terminalreporter.write_line(
            f"hostile corpus: {sum(inputs.values())} generated inputs ({parts}); "
            f"{CORPUS['core messages']} messages through the core"
        )
