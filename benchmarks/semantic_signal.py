"""What a semantic-similarity signal adds to the grader, candidate by candidate (one command).

    python benchmarks/semantic_signal.py

Candidates are embedding models that ship their weights inside a PyPI wheel (no download at run
time); each one installed is measured, the others are listed as missing:

- wordllama: WordLlama "L2 supercat", 256-d static token embeddings (a dependency of the bot);
- tokenlearn-static-model: a Model2Vec-style static model, 64-d int8, Rust encoder (measured only).

For each: the combiner is refitted with the candidate's cosine similarity as one more feature and
compared with the combiner without it, on *held-out* data only:

- English: 5-fold cross-validation by question on the SemEval-2013 train splits (macro-F1 per corpus),
  then fitted on all of train and measured on the test splits (threshold tuned on train);
- Chinese: 5-fold cross-validation by question on our labelled Chinese answers, and le_zh Pearson r
  of the combiner fitted on all of them;

and its cost: ms per 1,000-character answer, resident memory after loading, size on disk.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fitting import Row, cross_validate, fit_signed, macro_f1, pearson  # noqa: E402
from benchmarks.grading import SPLITS, chinese_rows, english_rows, le_zh_rows  # noqa: E402
from bot.core.grading.features import FEATURES  # noqa: E402

Similarity = Callable[[str, str], float]
BASE = list(FEATURES)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def candidates() -> dict[str, tuple[Similarity, str] | None]:
    """name -> (similarity, cost note), or None when the package is not installed."""
    found: dict[str, tuple[Similarity, str] | None] = {}
    before = rss_mb()
    t = time.perf_counter()
    try:
        import wordllama

        from bot.core.grading.semantic import Semantic

        sem = Semantic()
        sem.similarity("warm", "up")
        size = dir_mb(Path(wordllama.__file__).parent)
        note = f"load {time.perf_counter() - t:.1f} s, +{rss_mb() - before:.0f} MB RSS, {size:.0f} MB installed"
        found["wordllama"] = (sem.similarity, note)
    except ImportError:
        found["wordllama"] = None
    before = rss_mb()
    t = time.perf_counter()
    try:
        import numpy as np
        import static_model

        def static_sim(a: str, b: str) -> float:
            if not a.strip() or not b.strip():
                return 0.0
            va, vb = (np.asarray(v, dtype=float) for v in static_model.get_embeddings([a, b]))
            n = float(np.linalg.norm(va) * np.linalg.norm(vb))
            return float(va @ vb) / n if n else 0.0

        static_sim("warm", "up")
        size = dir_mb(Path(static_model.__file__).parent)
        note = f"load {time.perf_counter() - t:.1f} s, +{rss_mb() - before:.0f} MB RSS, {size:.0f} MB installed"
        found["tokenlearn-static-model"] = (static_sim, note)
    except ImportError:
        found["tokenlearn-static-model"] = None
    return found


def with_semantic(rows: list[Row], pairs: list[tuple[str, str]], sim: Similarity) -> list[Row]:
    return [
        Row({**r.feats, "semantic": sim(a, b)}, r.label, r.score, r.group, r.weight)
        for r, (a, b) in zip(rows, pairs, strict=True)
    ]


def ms_per_answer(sim: Similarity, pairs: list[tuple[str, str]]) -> float:
    long = [(" ".join(a for a, _ in pairs[i : i + 40])[:1000], b) for i, (_, b) in enumerate(pairs[:200])]
    t = time.process_time()
    for a, b in long:
        sim(a, b)
    return (time.process_time() - t) * 1000 / len(long)


def report(name: str, sim: Similarity | None, data: dict[str, tuple[list[Row], list[tuple[str, str]]]]) -> None:
    def rows_of(key: str) -> list[Row]:
        rows, pairs = data[key]
        return rows if sim is None else with_semantic(rows, pairs, sim)

    names = BASE if sim is None else [*BASE, "semantic"]
    train = rows_of("en:train")
    cv = cross_validate(train, names)
    combiner = fit_signed(train, names)
    cells = [f"cv SciEntsBank {cv.by_corpus['SciEntsBank']:.3f}", f"Beetle {cv.by_corpus['Beetle']:.3f}"]
    for corpus in ("SciEntsBank", "Beetle"):
        corpus_train = [r for r in train if r.group.startswith(corpus)]
        from benchmarks.fitting import best_threshold

        threshold, _ = best_threshold(
            [combiner.probability(r.feats) for r in corpus_train], [r.label for r in corpus_train]
        )
        for short in SPLITS:
            key = f"en:{corpus}:{short}"
            if key not in data:
                continue
            test = rows_of(key)
            f1 = macro_f1([r.label for r in test], [int(combiner.probability(r.feats) >= threshold) for r in test])
            cells.append(f"{corpus[:4]} {short} {f1:.3f}")
    zh = rows_of("zh:own")
    zh_cv = cross_validate(zh, names)
    zh_combiner = fit_signed(zh, names)
    le = rows_of("zh:le_zh")
    r_le = pearson([zh_combiner.probability(r.feats) for r in le], [r.score for r in le])
    cells += [f"zh cv F1 {zh_cv.macro_f1:.3f} r {zh_cv.pearson:.3f}", f"le_zh r {r_le:.3f}"]
    kept = "semantic kept" if "semantic" in combiner.names else "semantic dropped" if sim else ""
    print(f"{name:<24} " + "  ".join(cells) + f"  {kept}")


def main() -> None:
    started = time.perf_counter()
    found = candidates()
    data: dict[str, tuple[list[Row], list[tuple[str, str]]]] = {}
    data.update(english_rows())
    data["zh:own"] = chinese_rows()
    data["zh:le_zh"] = le_zh_rows()
    print("Held-out figures (cross-validation by question on train; test splits at the threshold tuned on train)")
    report("without (overlap only)", None, data)
    for name, entry in found.items():
        if entry is None:
            print(f"{name:<24} not installed")
            continue
        sim, note = entry
        report(name, sim, data)
        print(f"{'':<24} cost: {ms_per_answer(sim, data['en:train'][1]):.2f} ms per 1,000-character answer; {note}")
    print(f"\n({time.perf_counter() - started:.0f} s; pid {os.getpid()})")


if __name__ == "__main__":
    main()
