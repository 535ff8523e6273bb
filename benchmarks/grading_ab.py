"""Two versions of the grader timed on the same answers, alternately, in one process (one command).

    python benchmarks/grading_ab.py d9c847f            # that commit's grader (A) against the working tree's (B)
    python benchmarks/grading_ab.py d9c847f HEAD       # two commits
    python benchmarks/grading_ab.py d9c847f --n 60     # fewer answers per cell

`grading_speed.py` prints what a grade costs; this prints what a change saved. On a shared 2-core machine the
speed of the whole machine drifts by a third within minutes, so two runs of `grading_speed.py` one after the
other differ by more than most changes save. Here each version's `bot/` is copied into a package of its own
(`bot_a`, `bot_b`: its imports rewritten), both are warmed and frozen as the bot does, and every answer is
graded by A and by B back to back (in turn A first, B first): a slow minute slows both. The figure to read is
the median over answers of B's time over A's ("B/A"), per cell: 0.90 means B takes a tenth less.
Answers as in `grading_speed.py` (bank, unseen and misspelt text); CPU time of this process.
"""

from __future__ import annotations

import argparse
import importlib
import random
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.grading_speed import bank_text, misspelt_text, unseen_text  # noqa: E402
from bot.content.loader import load_bank  # noqa: E402

CELLS = (("zh", 1000), ("zh", 4000), ("zh", 6000), ("en", 1000), ("en", 4000), ("en", 6000))
_IMPORT = re.compile(r"\b(from|import) bot(\.| import)")


def _copy(version: str, name: str, into: Path) -> None:
    """`bot/` as of `version` (a git revision, or "work" for the working tree) as package `name` in `into`."""
    target = into / name
    if version == "work":
        shutil.copytree(ROOT / "bot", target, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", version, "bot"], check=True, capture_output=True
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(into / f"_{name}", filter="data")
        (into / f"_{name}" / "bot").rename(target)
    for path in target.rglob("*.py"):
        path.write_text(_IMPORT.sub(rf"\1 {name}\2", path.read_text(encoding="utf-8")), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", help="git revision of version A")
    parser.add_argument("b", nargs="?", default="work", help="git revision of version B (default: working tree)")
    parser.add_argument("--n", type=int, default=90, help="answers per cell (a third of each kind)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _copy(args.a, "bot_a", Path(tmp))
        _copy(args.b, "bot_b", Path(tmp))
        sys.path.insert(0, tmp)
        grading: list[ModuleType] = [importlib.import_module(f"bot_{v}.core.grading") for v in "ab"]
        warmups = [importlib.import_module(f"bot_{v}.core.grading.warmup") for v in "ab"]
        answered = [q for q in load_bank().questions if q.answered]
        graders = [g.KeyPointGrader() for g in grading]
        rubrics = [{q.id: g.rubric_for(q) for q in answered} for g in grading]
        for warmup, made in zip(warmups, rubrics, strict=True):
            warmup.warm_and_freeze(list(made.values()))
        rng = random.Random(11)
        print(f"A = {args.a}, B = {args.b}; CPU ms per answer, p50 of each and the median of B/A over answers")
        for lang, length in CELLS:
            times: list[list[float]] = [[], []]
            for i in range(args.n):
                qid = rng.choice(answered).id
                if i % 3 == 0:
                    text = bank_text(answered, lang, length, rng)
                elif i % 3 == 1:
                    text = unseen_text(lang, length, rng)
                else:
                    text = misspelt_text(answered, lang, length, rng)
                for v in (0, 1) if i % 2 == 0 else (1, 0):
                    t = time.process_time()
                    graders[v].grade(rubrics[v][qid], text)
                    times[v].append((time.process_time() - t) * 1000)
            a, b = times
            ratio = statistics.median(y / x for x, y in zip(a, b, strict=True) if x > 0)
            print(
                f"{lang} {length:>5}: A {statistics.median(a):6.2f}  B {statistics.median(b):6.2f}  B/A {ratio:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
