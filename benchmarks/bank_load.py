"""How long loading the question bank takes, and how much memory it holds."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
import tracemalloc

from bot.content.loader import DEFAULT_ROOT, check_path, load_bank


def cold_start_seconds() -> float:
    """A fresh interpreter importing and loading the bank (what `studybot run` pays)."""
    code = (
        "import time; t=time.perf_counter(); from bot.content.loader import load_bank;"
        " load_bank(); print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout)


def main() -> None:
    cold = [cold_start_seconds() for _ in range(3)]
    warm = []
    for _ in range(5):
        t = time.perf_counter()
        bank = load_bank()
        warm.append(time.perf_counter() - t)
    t = time.perf_counter()
    check_path(DEFAULT_ROOT)
    check = time.perf_counter() - t
    tracemalloc.start()
    bank = load_bank()
    _, peak = tracemalloc.get_traced_memory()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(f"questions:                    {len(bank.questions)}")
    print(f"cold import + load (median):  {statistics.median(cold) * 1000:.0f} ms")
    print(f"load, warm (median of 5):     {statistics.median(warm) * 1000:.0f} ms")
    print(f"full check with lines:        {check * 1000:.0f} ms")
    print(f"memory held by the bank:      {held / 2**20:.1f} MiB (peak while loading {peak / 2**20:.1f} MiB)")
    print(f"process max RSS:              {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
