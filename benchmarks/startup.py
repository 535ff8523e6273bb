"""Start-up: `studybot chat` to its first prompt and `studybot run` (terminal mode) to ready.

Each run is a fresh process on a pseudo-terminal (so the chat is interactive and shows its
prompt, as for a person), timed from the spawn to the first `> ` it prints. Cold: a new data
directory (no bank cache, no database: the bank is parsed from YAML and the schema created).
Warm: the same directory again (the cache and the database exist). Bytecode is written as an
installed package would (PYTHONDONTWRITEBYTECODE is dropped), and one untimed run first warms
the bytecode and the OS file cache.

    .venv/bin/python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import pty
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STUDYBOT = Path(sys.executable).with_name("studybot")
# The first prompt: "> " piped-style, or prompt-toolkit switching bracketed paste on as it draws its own.
PROMPT = re.compile(rb"\n> |\x1b\[\?2004h")
TIMEOUT = 60.0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_prompt_seconds(command: str, data_dir: Path) -> tuple[float, float]:
    """Wall and CPU seconds from spawning `studybot COMMAND` on a pty to its first prompt; then /quit.

    CPU time is the steadier figure on a shared machine: other processes' load stretches the wall
    clock but not the work the start-up itself does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["STUDYBOT_DATA_DIR"] = str(data_dir)
    master, slave = pty.openpty()
    started = time.perf_counter()
    proc = subprocess.Popen([str(STUDYBOT), command], stdin=slave, stdout=slave, stderr=slave, env=env)
    os.close(slave)
    seen = b""
    try:
        while not PROMPT.search(seen):
            if time.perf_counter() - started > TIMEOUT:
                raise RuntimeError(f"no prompt from `studybot {command}` in {TIMEOUT:.0f} s: {seen[-300:]!r}")
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                seen += os.read(master, 65536)
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(proc.pid)
        os.write(master, b"/quit\n")
        proc.wait(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return elapsed, cpu


Runs = list[tuple[float, float]]


def measure(command: str, runs: int) -> tuple[Runs, Runs]:
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="studybot-startup-") as tmp:
            cold.append(first_prompt_seconds(command, Path(tmp)))
            warm.append(first_prompt_seconds(command, Path(tmp)))
    return cold, warm


def show(label: str, runs: Runs) -> str:
    wall = [w for w, _ in runs]
    cpu = statistics.median(c for _, c in runs)
    return f"{label} {statistics.median(wall):.2f} s wall (min {min(wall):.2f}), {cpu:.2f} s CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="cold+warm pairs per command (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="studybot-startup-") as tmp:
        first_prompt_seconds("chat", Path(tmp))  # untimed: bytecode and file cache
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.1f}; {args.runs} cold and warm runs each")
    for command in ("chat", "run"):
        cold, warm = measure(command, args.runs)
        print(f"studybot {command:<4} to first prompt (median) · {show('cold', cold)} · {show('warm', warm)}")


if __name__ == "__main__":
    main()
