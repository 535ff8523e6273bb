"""Grading quality of the default grader, on public benchmarks and on our own labelled answers.

    python benchmarks/grading.py            # the figures (a minute or two)
    python benchmarks/grading.py --cv       # also the cross-validation (by question; by answer too) behind the choices
    python benchmarks/grading.py --cv --select  # and rerun en:reference-only's feature selection (minutes)
    python benchmarks/grading.py --train [NAME ...]  # refit combiner_weights.py (those named), then the figures
    python benchmarks/grading.py --judge FILE  # offline grader vs the LLM judge of STUDYBOT_JUDGE_URL on FILE

Data: ../shared/grading/ beside the repository (or $STUDYBOT_GRADING_DATA), read-only, and
tests/data/graded_answers*.jsonl. Every SemEval figure follows the shared task's protocol: the
English combiner is fitted on the *train* splits only, and each figure is printed twice: at the
threshold tuned on that corpus's train split, and at the bot's own verdict threshold (CORRECT_AT,
the score from which /quiz says "correct"), which nothing tunes per corpus. Nothing is fitted to a
test split. le_zh.jsonl has no train split: the combiner for Chinese rubrics without key points is
fitted on it (and on our own Chinese answers), so its figure is the held-out one of nested
cross-validation by question; the bank's Chinese combiner is fitted on our own answers alone.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fitting import (  # noqa: E402
    best_threshold,
    macro_f1,
    pearson,
)
from benchmarks.grading_data import (  # noqa: E402
    DATA,
    OWN,
    OWN_ZH,
    PUBLISHED,
    SEMEVAL,
    SPLITS,
    label,
    read_jsonl,
    verdict_of,
)
from benchmarks.training import (  # noqa: E402
    SHIPPED,
    TRAINERS,
    cross_validation,
    reference_only_held_out,
    train,
)
from bot.content.loader import load_bank  # noqa: E402
from bot.core.grading import CORRECT_AT, KeyPointGrader, rubric_for, rubric_from_record  # noqa: E402
from bot.core.grading.combiner import (  # noqa: E402
    REFERENCE_ONLY_EN,
    REFERENCE_ONLY_ZH,
    default_combiners,
)

# ---------------------------------------------------------------------------- measuring


def semeval_scores(grader: KeyPointGrader, rows: Sequence[dict[str, Any]]) -> list[float]:
    return [grader.grade(rubric_from_record(r, "en"), r["answer"], "en").score for r in rows]


def semeval_table(grader: KeyPointGrader) -> list[dict[str, Any]]:
    out = []
    for name, file in SEMEVAL.items():
        by_split: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in read_jsonl(DATA / file):
            by_split[r["split"]].append(r)
        train_rows = by_split["train"]
        threshold, train_f1 = best_threshold(semeval_scores(grader, train_rows), [label(r) for r in train_rows])
        for short, split in SPLITS.items():
            test = by_split.get(split)
            if not test:
                continue
            scores = semeval_scores(grader, test)
            gold = [label(r) for r in test]
            best, baseline = PUBLISHED[(name, short)]
            out.append(
                {
                    "corpus": name,
                    "split": short,
                    "n": len(test),
                    "f1": macro_f1(gold, [int(s >= threshold) for s in scores]),
                    "f1_at_correct": macro_f1(gold, [int(s >= CORRECT_AT) for s in scores]),
                    "threshold": threshold,
                    "train_f1": train_f1,
                    "best": best,
                    "baseline": baseline,
                }
            )
    return out


def le_zh_pearson(grader: KeyPointGrader) -> tuple[float, int]:
    rows = read_jsonl(DATA / "le_zh.jsonl")
    scores = [grader.grade(rubric_from_record(r, "zh"), r["answer"], "zh").score for r in rows]
    return pearson(scores, [r["score"] / (r.get("max_score") or 1.0) for r in rows]), len(rows)


def own_agreement(grader: KeyPointGrader, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Agreement with our strict-interviewer labels: verdicts, Pearson r, mean absolute error."""
    by_id = {q.id: q for q in load_bank().questions}
    ours, theirs, kinds = [], [], defaultdict(list)
    for r in records:
        q = by_id.get(r["qid"])
        if q is None:
            continue
        g = grader.grade(rubric_for(q), r["answer"], r["locale"])
        ours.append(g.score)
        theirs.append(float(r["score"]))
        kinds[r["kind"]].append((g.verdict.value == r["verdict"], abs(g.score - r["score"])))
    agree = [verdict_of(a) == verdict_of(b) for a, b in zip(ours, theirs, strict=True)]
    # "Lenient": off by at most one verdict step (correct vs partly, partly vs incorrect).
    order = {"incorrect": 0, "partly": 1, "correct": 2}
    near = [abs(order[verdict_of(a)] - order[verdict_of(b)]) <= 1 for a, b in zip(ours, theirs, strict=True)]
    low = [(a, len(r["answer"])) for a, b, r in zip(ours, theirs, records, strict=False) if b <= 0.2]
    return {
        "n": len(ours),
        "verdict_agreement": sum(agree) / len(agree),
        "within_one": sum(near) / len(near),
        "pearson": pearson(ours, theirs),
        "mae": statistics.fmean(abs(a - b) for a, b in zip(ours, theirs, strict=True)),
        "by_kind": {
            k: (len(v), sum(a for a, _ in v) / len(v), statistics.fmean(e for _, e in v))
            for k, v in sorted(kinds.items())
        },
        "low_length_r": pearson([a for a, _ in low], [float(n) for _, n in low]) if len(low) > 2 else 0.0,
        "n_low": len(low),
    }


def figures(ours: Sequence[float], theirs: Sequence[float]) -> str:
    order = {"incorrect": 0, "partly": 1, "correct": 2}
    steps = [abs(order[verdict_of(a)] - order[verdict_of(b)]) for a, b in zip(ours, theirs, strict=True)]
    return (
        f"verdict agreement {sum(s == 0 for s in steps) / len(steps):.3f}   "
        f"within one verdict {sum(s <= 1 for s in steps) / len(steps):.3f}   "
        f"Pearson r {pearson(list(ours), list(theirs)):.3f}   "
        f"mean |score error| {statistics.fmean(abs(a - b) for a, b in zip(ours, theirs, strict=True)):.3f}"
    )


def compare_judge(path: Path, limit: int | None) -> None:
    """Offline vs judge on labelled answers (`qid`, `answer`, `locale`, `score`), through the bot's own guard."""
    from bot.judging.build import judge_from
    from bot.settings import Settings

    judge = judge_from(Settings(), KeyPointGrader())
    if judge is None:
        sys.exit("--judge: set STUDYBOT_JUDGE_URL (and STUDYBOT_JUDGE_MODEL) first")
    by_id = {q.id: q for q in load_bank().questions}
    records = [r for r in read_jsonl(path) if r["qid"] in by_id][:limit]

    async def run() -> list[tuple[float, float, str, float]]:
        out: list[tuple[float, float, str, float]] = []
        for r in records:
            rubric = rubric_for(by_id[r["qid"]])
            started = time.perf_counter()
            judged = await judge.grade(rubric, r["answer"], r["locale"])
            offline = judge.offline.grade(rubric, r["answer"], r["locale"]).score
            out.append((offline, judged.grade.score, judged.source, time.perf_counter() - started))
        await judge.client.close()
        return out

    results = asyncio.run(run())
    theirs = [float(r["score"]) for r in records]
    print(f"{path} ({len(records)} labelled answers; judge {judge.client.endpoint.model}, mode {judge.mode})")
    print(f"  offline: {figures([o for o, _, _, _ in results], theirs)}")
    print(f"  judge:   {figures([j for _, j, _, _ in results], theirs)}")
    sources: dict[str, int] = defaultdict(int)
    for _, _, source, _ in results:
        sources[source] += 1
    seconds = sorted(s for _, _, _, s in results)
    print(
        f"  verdicts: {dict(sources)}   seconds per answer through the judge: median {seconds[len(seconds) // 2]:.2f}, "
        f"max {seconds[-1]:.2f}"
    )


def print_own(title: str, own: dict[str, Any], by_kind: bool) -> None:
    print(title)
    print(
        f"  verdict agreement {own['verdict_agreement']:.3f}   within one verdict {own['within_one']:.3f}   "
        f"Pearson r {own['pearson']:.3f}   mean |score error| {own['mae']:.3f}"
    )
    print(
        f"  among the {own['n_low']} answers a human scored <= 0.2: score vs answer length, Pearson r "
        f"{own['low_length_r']:.3f} (0 = no length bias)"
    )
    if by_kind:
        for kind, (count, agree, err) in own["by_kind"].items():
            print(f"  {kind:<15} {count:>4}  verdict agreement {agree:.2f}  mean |error| {err:.2f}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--train",
        nargs="*",
        choices=tuple(TRAINERS),
        metavar="NAME",
        help=f"refit the combiners named (those shipped if none: {', '.join(SHIPPED)}); the others stay as shipped",
    )
    parser.add_argument("--cv", action="store_true", help="print the cross-validation behind the choices")
    parser.add_argument(
        "--select", action="store_true", help=f"with --cv: rerun the feature selection of {REFERENCE_ONLY_EN} too"
    )
    parser.add_argument("--by-kind", action="store_true", help="break our own agreement down by kind of answer")
    parser.add_argument("--judge", type=Path, metavar="FILE", help="offline vs the LLM judge on labelled answers")
    parser.add_argument("--limit", type=int, help="with --judge: only the first N answers")
    args = parser.parse_args(argv)
    if args.judge:
        compare_judge(args.judge, args.limit)
        return
    started = time.perf_counter()
    grader = KeyPointGrader(train(args.train) if args.train is not None else default_combiners())
    if args.cv:
        cross_validation(args.select)

    print("\nSemEval-2013 Task 7, 2-way, macro-F1 on the test splits (the combiner is fitted on train only)")
    print(f"{'corpus':<12} {'split':<5} {'n':>5} {'tuned':>6} {'bot':>6}   {'best':>6} {'lexical':>8}")
    for row in semeval_table(grader):
        print(
            f"{row['corpus']:<12} {row['split']:<5} {row['n']:>5} {row['f1']:>6.3f} {row['f1_at_correct']:>6.3f}   "
            f"{row['best']:>6.3f} {row['baseline']:>8.3f}"
        )
    print(
        "  tuned: at the score threshold tuned on that corpus's train split; bot: at the bot's own verdict "
        f"threshold (score >= {CORRECT_AT}, what /quiz calls correct);\n  best / lexical: the shared task's best "
        "system and its lexical-overlap baseline (Dzikovska et al. 2013, Table 6)"
    )

    r, n = le_zh_pearson(grader)
    held = reference_only_held_out()
    print(
        f"\nle_zh (Chinese, {n} answers, graded without key points), Pearson r: HELD OUT {held['le_zh']:.3f} "
        f"(nested 5-fold cross-validation by question), in-sample {r:.3f}   (character-overlap F1: about 0.66)"
    )
    print(
        f"  by the combiner for Chinese rubrics without key points ({REFERENCE_ONLY_ZH}), fitted on le_zh and our "
        f"own Chinese answers graded without their key points (held out there: r {held['own']:.3f});\n"
        "  bank questions (with key points) use the zh combiner, fitted on our own answers alone"
    )

    print_own(
        f"\nOur labelled answers, IN-SAMPLE ({OWN.relative_to(ROOT)}, {len(read_jsonl(OWN))} answers): the grader's "
        "point weights and thresholds were chosen on them and the Chinese combiner fitted on their Chinese ones; "
        f"{sum('previous' in r for r in read_jsonl(OWN))} relabelled after the content's second edition "
        "(tests/data/README.md)",
        own_agreement(grader, read_jsonl(OWN)),
        args.by_kind,
    )
    if OWN_ZH.exists():
        print_own(
            f"\nOur Chinese labelled answers ({OWN_ZH.relative_to(ROOT)}, {len(read_jsonl(OWN_ZH))} answers): "
            "in-sample for the Chinese combiner (fitted on them); `--cv` prints its held-out figures",
            own_agreement(grader, read_jsonl(OWN_ZH)),
            args.by_kind,
        )
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
