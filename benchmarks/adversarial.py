"""The adversarial grading suite over the whole bank: the share held per kind and language.

    python benchmarks/adversarial.py               # every answered question, both languages
    python benchmarks/adversarial.py --every 4     # a quarter of the questions (quicker)
    python benchmarks/adversarial.py --show KIND   # also print the failing cases of one kind

Attacks are held when graded at most 0.4 and not "correct"; positives when graded "correct".
Targets (issue 14): every attack kind held on >= 95 % of its cases, every positive kind >= 90 %,
in both languages. "held-out" is the share on templates kept out of development.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.content.loader import load_bank  # noqa: E402
from bot.core.grading import KeyPointGrader  # noqa: E402
from bot.grading_suite import ATTACKS, KINDS, evaluate, generate, summarise  # noqa: E402

TARGET_ATTACK = 0.95
TARGET_POSITIVE = 0.90


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", type=int, default=1, help="use every N-th answered question")
    parser.add_argument("--show", choices=KINDS, help="print the failing cases of this kind")
    parser.add_argument("--limit", type=int, default=15, help="how many failing cases to print")
    args = parser.parse_args()

    bank = load_bank()
    cases = generate(bank.questions, every=args.every)
    started = time.perf_counter()
    outcomes = evaluate(cases, KeyPointGrader(), bank.questions)
    elapsed = time.perf_counter() - started
    rows = summarise(outcomes)

    print(f"{len(cases)} cases over {len({c.qid for c in cases})} questions, graded in {elapsed:.1f} s\n")
    print(f"{'kind':<16}{'lang':<6}{'cases':>6}{'held':>8}{'held-out':>10}{'mean score':>12}  target")
    for r in rows:
        target = TARGET_ATTACK if r.kind in ATTACKS else TARGET_POSITIVE
        mark = "ok" if r.share >= target else "below"
        out = f"{r.held_out_share:.0%} ({r.held_out_cases})" if r.held_out_share is not None else "-"
        label = r.kind + ("" if r.kind in ATTACKS else " (+)")
        print(f"{label:<16}{r.lang:<6}{r.cases:>6}{r.share:>8.0%}{out:>10}{r.mean_score:>12.2f}  {target:.0%} {mark}")
    print("\n(+) positive kinds: the share graded correct; attacks: the share held (<= 0.4 and not correct)")

    if args.show:
        failing = [o for o in outcomes if o.case.kind == args.show and not o.ok]
        print(f"\n{len(failing)} failing {args.show} cases; the first {min(args.limit, len(failing))}:")
        for o in failing[: args.limit]:
            c, g = o.case, o.grade
            print(f"\n[{c.qid} {c.lang} {c.template}] score {g.score:.2f} {g.verdict.value} flags {g.flags}")
            print("  " + c.answer[:400].replace("\n", " / "))


if __name__ == "__main__":
    main()
