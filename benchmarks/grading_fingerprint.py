"""Every grade the default grader gives on our fixed sets, to prove a speed change changed no score.

    python benchmarks/grading_fingerprint.py OUT.jsonl          # grade everything, write one line per answer
    python benchmarks/grading_fingerprint.py --diff A.jsonl B.jsonl   # the answers whose grade differs

Sets: the adversarial suite over the whole bank, tests/data/graded_answers*.jsonl, the speed
benchmark's generated long answers (bank, unseen and misspelt text; seeded), and, when the shared
data is there, SemEval-2013 (every split) and le_zh. A line holds the exact score (repr of the
float), the verdict, the flags and the key points covered, named, wrong and missed, so "identical"
means identical, not close. It runs with PYTHONHASHSEED=0 (it restarts itself so): nothing ordered
by string hashes can then make two runs differ (the suite's generator once did). Not a measurement of
quality: benchmarks/grading.py is.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.grading_data import DATA, OWN, OWN_ZH, SEMEVAL, read_jsonl  # noqa: E402
from benchmarks.grading_speed import TARGETS, bank_text, misspelt_text, unseen_text  # noqa: E402
from bot.content.loader import load_bank  # noqa: E402
from bot.core.grading import Grade, KeyPointGrader, Rubric, rubric_for, rubric_from_record  # noqa: E402
from bot.grading_suite import generate  # noqa: E402

Item = tuple[str, Rubric, str, str]  # (key, rubric, answer, locale)


def items() -> Iterator[Item]:
    bank = load_bank()
    answered = [q for q in bank.questions if q.answered]
    rubrics = {q.id: rubric_for(q) for q in bank.questions if q.answered}
    for i, c in enumerate(generate(bank.questions)):
        yield f"suite:{i}:{c.kind}:{c.template}:{c.qid}:{c.lang}", rubrics[c.qid], c.answer, c.locale
    for path in (OWN, OWN_ZH):
        for r in read_jsonl(path):
            yield f"{path.stem}:{r['id']}", rubrics[r["qid"]], r["answer"], r["locale"]
    rng = random.Random(11)
    for lang in ("en", "zh"):
        for length in TARGETS:
            for n in range(20):
                q = rng.choice(answered)
                texts = (
                    ("bank", bank_text(answered, lang, length, rng)),
                    ("unseen", unseen_text(lang, length, rng)),
                    ("misspelt", misspelt_text(answered, lang, length, rng)),
                )
                for kind, text in texts:
                    yield f"speed:{lang}:{length}:{kind}:{n}", rubrics[q.id], text, lang
    if DATA.exists():
        for corpus, file in SEMEVAL.items():
            for r in read_jsonl(DATA / file):
                yield f"{corpus}:{r['id']}", rubric_from_record(r, "en"), r["answer"], "en"
        for r in read_jsonl(DATA / "le_zh.jsonl"):
            yield f"le_zh:{r['id']}", rubric_from_record(r, "zh"), r["answer"], "zh"


def record(key: str, g: Grade) -> dict[str, Any]:
    return {
        "key": key,
        "score": repr(g.score),
        "verdict": g.verdict.value,
        "flags": [f.value for f in g.flags],
        "covered": list(g.covered),
        "named": list(g.named),
        "wrong": [repr(w) for w in g.wrong],
        "missed": list(g.missed),
    }


def write(out: Path) -> None:
    grader = KeyPointGrader()
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for key, rubric, answer, locale in items():
            f.write(json.dumps(record(key, grader.grade(rubric, answer, locale)), ensure_ascii=False) + "\n")
            n += 1
    print(f"{n} grades written to {out}")


def diff(a: Path, b: Path) -> int:
    left = {r["key"]: r for r in read_jsonl(a)}
    right = {r["key"]: r for r in read_jsonl(b)}
    changed = [k for k in left if k in right and left[k] != right[k]]
    only = set(left) ^ set(right)
    for k in changed:
        print(f"{k}\n  - {left[k]}\n  + {right[k]}")
    print(f"{len(left)} vs {len(right)} grades: {len(changed)} differ, {len(only)} present on one side only")
    return 1 if changed or only else 0


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path, help="where to write the grades")
    parser.add_argument("--diff", nargs=2, type=Path, metavar=("A", "B"), help="compare two files written before")
    args = parser.parse_args()
    if args.diff:
        sys.exit(diff(*args.diff))
    if not args.out:
        parser.error("give OUT.jsonl or --diff A B")
    write(args.out)


if __name__ == "__main__":
    main()
