"""What a semantic-similarity signal adds to the grader, candidate by candidate (one command).

    python benchmarks/semantic_signal.py            # as a feature of the combiners
    python benchmarks/semantic_signal.py --points   # as key-point credit (WordLlama)

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

`--points` measures it where the grader needs it most, crediting a key point stated in other words: on
our labelled answers (tests/data/graded_answers*.jsonl), a point the grader did not fully credit (and the
answer did not contradict) is credited when a sentence of the answer's credible part (asserted, not
negated, not wrong) has a cosine of at least tau with the point's statement; tau is chosen on four folds
by question and the verdict agreement with the human labels measured on the fifth.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fitting import Row, cross_validate, fit_signed, macro_f1, pearson  # noqa: E402
from benchmarks.grading_data import SPLITS, chinese_rows, english_rows, le_zh_rows  # noqa: E402
from bot.content.loader import load_bank  # noqa: E402
from bot.core.grading import CORRECT_AT, PARTLY_AT, Grade, KeyPointGrader, rubric_for  # noqa: E402
from bot.core.grading.assertions import read  # noqa: E402
from bot.core.grading.credit import weigh  # noqa: E402
from bot.core.grading.features import FEATURES, analyse_rubric  # noqa: E402
from bot.core.grading.grader import POINTS_CURVE, POINTS_WEIGHT  # noqa: E402
from bot.core.grading.text import clean  # noqa: E402

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


@dataclass(frozen=True)
class Labelled:
    lang: str
    qid: str
    human: float
    grade: Grade
    # (credit the grader gave, best cosine of a credible sentence with the statement) per point not fully credited
    open_points: tuple[tuple[float, float], ...]


_SENTENCE_END = re.compile(r"[.!?;。！？；\n]+")
TAUS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 2.0)  # 2.0: never


def labelled_with_cosines(sim: Similarity) -> tuple[list[Labelled], float]:
    """Our labelled answers graded, each open point's best cosine; and the ms of cosines per 1,000 characters."""
    root = ROOT / "tests" / "data"
    records = [
        json.loads(line)
        for name in ("graded_answers.jsonl", "graded_answers_zh.jsonl")
        for line in (root / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    by_id = {q.id: q for q in load_bank().questions}
    grader = KeyPointGrader()
    out: list[Labelled] = []
    spent, chars = 0.0, 0
    for r in records:
        q = by_id.get(r["qid"])
        if q is None or not q.key_points or not r["answer"].strip():
            continue
        rubric = rubric_for(q)
        grade = grader.grade(rubric, r["answer"], r.get("locale"))
        cosines: list[tuple[float, float]] = []
        if not grade.flags:  # capped or guarded answers keep their grade
            text, prompts = clean(r["answer"]), [clean(p) for p in rubric.prompts]
            question = frozenset(u for p in prompts for u in analyse_rubric(p).units)
            evidence = weigh(rubric, read(text), grade.lang, " ".join(prompts), question)
            said = [s for s in _SENTENCE_END.split(evidence.credible) if len(s.strip()) > 3]
            started = time.process_time()
            for k, point in enumerate(evidence.points):
                if said and point.credit < 1 and not point.contradicted:
                    statement = rubric.points[k].text(grade.lang)
                    cosines.append((point.credit, max(sim(s, statement) for s in said)))
            spent += time.process_time() - started
            chars += len(text)
        out.append(Labelled(r["lang"], r["qid"], float(r["score"]), grade, tuple(cosines)))
    return out, spent * 1e6 / max(chars, 1)


def _verdict(score: float) -> int:
    return 2 if score >= CORRECT_AT else 1 if score >= PARTLY_AT else 0


def _rescored(a: Labelled, tau: float) -> float:
    """The grade with open points credited where the cosine reaches tau (the grader's own point formula)."""
    extra = sum(1 - credit for credit, cos in a.open_points if cos >= tau)
    if not extra:
        return a.grade.score
    g = a.grade
    n = len(g.covered) + len(g.missed) + len(g.named) + sum(1 for w in g.wrong if w.kind == "point")
    earned: float = g.details["key_points"] ** (1 / POINTS_CURVE) * n
    coverage = min(1.0, (earned + extra) / n)
    score: float = POINTS_WEIGHT * coverage**POINTS_CURVE + (1 - POINTS_WEIGHT) * g.details["reference_match"]
    if g.details.get("misconceptions"):
        score = min(score, CORRECT_AT - 0.01)
    return max(g.score, score)


def _agreement(answers: Sequence[Labelled], tau: float) -> float:
    return sum(_verdict(_rescored(a, tau)) == _verdict(a.human) for a in answers) / max(len(answers), 1)


def point_credit_report() -> None:
    started = time.process_time()
    before = rss_mb()
    from bot.core.grading.semantic import Semantic

    sem = Semantic()
    sem.similarity("warm", "up")
    print(f"WordLlama loaded in {time.process_time() - started:.2f} s CPU, +{rss_mb() - before:.0f} MB RSS")
    answers, ms = labelled_with_cosines(sem.similarity)
    print(f"cosines of open points: {ms:.2f} ms CPU per 1,000 characters of answer")
    print("verdict agreement with our labels (5 folds by question; tau chosen on the other four)")
    for lang in ("en", "zh"):
        mine = [a for a in answers if a.lang == lang]
        folds = [zlib.crc32(a.qid.encode()) % 5 for a in mine]
        held, chosen = 0.0, []
        for k in range(5):
            train = [a for a, f in zip(mine, folds, strict=True) if f != k]
            test = [a for a, f in zip(mine, folds, strict=True) if f == k]
            tau = max(TAUS, key=lambda t: (_agreement(train, t), t))
            chosen.append(tau)
            held += _agreement(test, tau) * len(test)
        taus = ", ".join("never" if t > 1 else f"{t:g}" for t in chosen)
        print(
            f"  {lang} ({len(mine)} answers): without {_agreement(mine, 2.0):.3f}, "
            f"with semantic point credit {held / len(mine):.3f} (tau per fold: {taus})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", action="store_true", help="measure it as key-point credit instead")
    if parser.parse_args().points:
        point_credit_report()
        return
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
