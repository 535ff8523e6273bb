"""Choosing and fitting the grader's combiners (`python benchmarks/grading.py --train` / `--cv` run this): the
trainers per combiner, their feature selection and the cross-validation by question behind every choice
(bot/core/grading/README.md, "Where the numbers come from")."""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.fitting import (  # noqa: E402
    Row,
    backward_eliminate,
    best_threshold,
    cross_validate,
    fit_signed,
    folds_by_question,
    forward_select,
    held_out_scores,
    macro_f1,
    pearson,
    threshold_cv,
)
from benchmarks.grading_data import (  # noqa: E402
    BEETLE_WEIGHTS,
    DATA,
    EN_FEATURES,
    EN_REFERENCE_ONLY_BEETLE_WEIGHT,
    EN_REFERENCE_ONLY_CANDIDATE_3,
    EN_REFERENCE_ONLY_CANDIDATES,
    EN_REFERENCE_ONLY_FEATURES,
    EN_REFERENCE_ONLY_FROM_NONE,
    SEMEVAL,
    ZH_FEATURES,
    chinese_rows,
    english_rows,
    le_zh_rows,
    own_chinese_records,
    read_jsonl,
    verdict_of,
)
from bot.content.loader import load_bank  # noqa: E402
from bot.core.grading import KeyPointGrader, rubric_for, rubric_from_record  # noqa: E402
from bot.core.grading.combiner import (  # noqa: E402
    REFERENCE_ONLY_EN,
    REFERENCE_ONLY_ZH,
    WEIGHTS_FILE,
    Combiner,
    default_combiners,
    weights_source,
)

# ---------------------------------------------------------------------------- training


def train_english(log: bool = True) -> Combiner:
    rows = english_rows()["en:train"][0]
    return fit_signed(rows, EN_FEATURES, "en", print if log else None)


def english_reference_only_rows(beetle_weight: float) -> list[Row]:
    """The train splits as the combiner for English rubrics without key points reads them."""
    return [
        Row(
            r.feats,
            r.label,
            r.score,
            r.group,
            beetle_weight if r.group.startswith("Beetle") else r.weight,
            r.alternatives,
        )
        for r in english_rows(extra=True)["en:train"][0]
    ]


def choose_english_reference_only(
    log: bool = False, start: Sequence[str] = (), weights: Sequence[float] = BEETLE_WEIGHTS
) -> tuple[float, tuple[str, ...]]:
    """The weight of a Beetle answer and the features of en:reference-only, by forward selection from `start`
    on the mean held-out macro-F1 (5 folds by question; each corpus at its own tuned threshold and at the
    shared one)."""
    best: tuple[float, float, tuple[str, ...]] | None = None
    for weight in weights:
        rows = english_reference_only_rows(weight)

        def criterion(kept: Sequence[str], rows: list[Row] = rows) -> float:
            return threshold_cv(rows, kept).mean

        def say(message: str, weight: float = weight) -> None:
            print(f"    Beetle weight {weight:g}: {message}")

        names, value = forward_select(EN_REFERENCE_ONLY_CANDIDATES, criterion, say if log else None, start)
        if best is None or value > best[0] + 0.001:
            best = (value, weight, names)
    assert best is not None
    return best[1], best[2]


FOLD_KINDS = ("question", "answer")


def both_folds_mean(rows: Sequence[Row], names: Sequence[str]) -> float:
    """The mean of the eight held-out cells: Beetle and SciEntsBank, tuned and bot, folds by question and by
    answer within question (a candidate must not buy unseen questions with unseen answers)."""
    return statistics.fmean(threshold_cv(rows, names, by=by).mean for by in FOLD_KINDS)


def choose_candidate_3(log: bool = False) -> tuple[str, ...]:
    """Candidate 3 of en:reference-only: forward selection from the en combiner's features over every feature
    (the entity labels and circuit states among them), Beetle answers at weight 1, on `both_folds_mean`."""
    rows = english_reference_only_rows(1.0)
    names, _ = forward_select(
        EN_REFERENCE_ONLY_CANDIDATES,
        lambda kept: both_folds_mean(rows, kept),
        (lambda m: print(f"    candidate 3: {m}")) if log else None,
        EN_FEATURES,
    )
    return names


def reference_only_cv_table(candidates: Sequence[tuple[str, Sequence[str]]]) -> None:
    """Held-out macro-F1 of each candidate feature set, both fold kinds, Beetle answers at weight 1."""
    rows = english_reference_only_rows(EN_REFERENCE_ONLY_BEETLE_WEIGHT)
    for tag, names in candidates:
        print(f"    {tag} ({', '.join(names)}):")
        for by in FOLD_KINDS:
            cv_en = threshold_cv(rows, names, by=by)
            print(
                f"      by {by:<8}: Beetle tuned {cv_en.tuned['Beetle']:.3f} / bot {cv_en.shared['Beetle']:.3f}, "
                f"SciEntsBank tuned {cv_en.tuned['SciEntsBank']:.3f} / bot {cv_en.shared['SciEntsBank']:.3f}, "
                f"mean {cv_en.mean:.3f}"
            )


def train_english_reference_only(log: bool = True) -> Combiner:
    """Candidate 3, the only one that passed the cross-validation gate (measured once on the test splits, not
    shipped: bot/core/grading/README.md)."""
    rows = english_reference_only_rows(EN_REFERENCE_ONLY_BEETLE_WEIGHT)
    return fit_signed(rows, EN_REFERENCE_ONLY_CANDIDATE_3, REFERENCE_ONLY_EN, print if log else None)


def select_features(rows: Sequence[Row], names: Sequence[str], log: bool = True) -> tuple[str, ...]:
    """Backward elimination on the held-out Pearson r of cross-validation by question."""
    chosen, _ = backward_eliminate(
        names, lambda kept: cross_validate(rows, kept).pearson, (lambda m: print(f"select zh: {m}")) if log else None
    )
    return chosen


def train_chinese(log: bool = True) -> Combiner:
    """The zh combiner's weights refitted on our labelled Chinese answers, over the features it ships with.

    Choosing the features again is not a refit: `select_features` on today's labels picks others, which held out
    do no better (bot/core/grading/README.md, "Refit on current labels"); `--cv` prints what it would pick."""
    rows = chinese_rows()[0]
    return fit_signed(rows, default_combiners()["zh"].names, "zh", print if log else None)


# ---------------------------------------------------------------------------- Chinese without key points

# How much each of our own Chinese answers weighs beside a le_zh answer when fitting the combiner for
# Chinese rubrics without key points (0: le_zh alone); `choose_reference_only` picks one by cross-validation.
OWN_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0)


def reference_only_rows(own_weight: float) -> list[Row]:
    """le_zh, then our own Chinese answers graded against the bank's Chinese reference without their key points."""
    own = [Row(r.feats, r.label, r.score, r.group, own_weight) for r in chinese_rows()[0]]
    return [*le_zh_rows()[0], *own]


def _mean_pearson(rows: Sequence[Row], scores: Sequence[float]) -> float:
    """The mean over le_zh and our own answers of each one's Pearson r: both are graded without key points."""
    by_set: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_set[r.group.split(":", 1)[0]].append(i)
    return statistics.fmean(pearson([scores[i] for i in ix], [rows[i].score for i in ix]) for ix in by_set.values())


def choose_reference_only(rows_of: dict[float, list[Row]], log: bool = False) -> tuple[float, tuple[str, ...]]:
    """The weight of our own answers and the features, by forward selection on the held-out (5 folds by
    question) mean Pearson r of le_zh and our answers, fitted to the graded scores (`soft`)."""
    best: tuple[float, float, tuple[str, ...]] | None = None
    for weight, rows in rows_of.items():

        def criterion(kept: Sequence[str], rows: list[Row] = rows) -> float:
            return _mean_pearson(rows, held_out_scores(rows, kept, soft=True))

        names, value = forward_select(ZH_FEATURES, criterion)
        if log:
            print(f"  our answers at weight {weight:g}: {', '.join(names)}: held-out mean r {value:.3f}")
        if best is None or value > best[0] + 0.001:
            best = (value, weight, names)
    assert best is not None
    return best[1], best[2]


def train_reference_only(log: bool = True) -> Combiner:
    weight, names = choose_reference_only({w: reference_only_rows(w) for w in OWN_WEIGHTS})
    rows = [r for r in reference_only_rows(weight) if r.weight > 0]
    return fit_signed(rows, names, REFERENCE_ONLY_ZH, print if log else None, soft=True)


def reference_only_held_out() -> dict[str, float]:
    """Nested cross-validation of the combiner for Chinese rubrics without key points: in each of 5 folds by
    question, the weight and features are chosen (as `train_reference_only` does) on the other four alone and
    the fold graded by `KeyPointGrader` with that combiner. Pearson r per set, every answer held out."""
    rows_of = {w: reference_only_rows(w) for w in OWN_WEIGHTS}
    template = rows_of[OWN_WEIGHTS[0]]
    folds = folds_by_question(template)
    records = [*read_jsonl(DATA / "le_zh.jsonl"), *own_chinese_records()]
    assert len(records) == len(template)
    scores = [0.0] * len(template)
    for fold in range(5):
        inside = {w: [r for r, f in zip(rows, folds, strict=True) if f != fold] for w, rows in rows_of.items()}
        weight, names = choose_reference_only(inside)
        combiner = fit_signed([r for r in inside[weight] if r.weight > 0], names, soft=True)
        grader = KeyPointGrader({**default_combiners(), REFERENCE_ONLY_ZH: combiner})
        for i, f in enumerate(folds):
            if f == fold:
                scores[i] = grader.grade(rubric_from_record(records[i], "zh"), records[i]["answer"], "zh").score
    out: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(template):
        out[row.group.split(":", 1)[0]].append(i)
    return {k: pearson([scores[i] for i in ix], [template[i].score for i in ix]) for k, ix in out.items()}


# ---------------------------------------------------------------------------- writing the weights

TRAINERS = {
    "en": train_english,
    "zh": train_chinese,
    REFERENCE_ONLY_ZH: train_reference_only,
    REFERENCE_ONLY_EN: train_english_reference_only,
}
PROVENANCE = (
    "Trained by `python benchmarks/grading.py --train`: en on the train splits of SemEval-2013 Task 7 "
    "(SciEntsBank, Beetle); zh on our own labelled Chinese answers (tests/data/graded_answers.jsonl and "
    f"tests/data/graded_answers_zh.jsonl); {REFERENCE_ONLY_ZH} (Chinese rubrics without key points) on le_zh "
    "(Lai et al. 2024, Apache-2.0) and those answers of ours graded against the Chinese reference alone; "
    f"{REFERENCE_ONLY_EN} (English rubrics without key points) on the train splits of SemEval-2013 Task 7."
)


# What `--train` with no name refits: en:reference-only is not shipped (measured on the test splits, it lost
# more than it gained: bot/core/grading/README.md), so it is fitted only when named.
SHIPPED = ("en", "zh", REFERENCE_ONLY_ZH)


def train(which: Sequence[str] = ()) -> dict[str, Combiner]:
    """Refit the combiners named in `which` (every shipped one if empty); the others stay as shipped."""
    combiners = dict(default_combiners())
    for name in which or SHIPPED:
        combiners[name] = TRAINERS[name]()
    WEIGHTS_FILE.write_text(weights_source(combiners, PROVENANCE), encoding="utf-8")
    print(f"train: wrote {WEIGHTS_FILE.relative_to(ROOT)} ({', '.join(which or SHIPPED)} refitted)")
    return combiners


def cross_validation(full: bool = False) -> None:
    """The held-out figures behind the choices in bot/core/grading/README.md (5 folds by question; for
    en:reference-only by answer within question too)."""
    en = english_rows()["en:train"][0]
    print("\nCross-validation by question (5 folds), held-out macro-F1 at the threshold tuned on the training folds")
    print("  (en: per corpus, at one threshold for both, tuned on the training folds: as the bot has one)")
    for tag, names in (
        ("without many_references", [n for n in EN_FEATURES if n != "many_references"]),
        ("", EN_FEATURES),
    ):
        for weight in (1.0, 2.0, 3.0):
            rows = [Row(r.feats, r.label, r.score, r.group, weight if r.group.startswith("Sci") else 1.0) for r in en]
            cv = cross_validate(rows, names)
            sci, beetle = cv.by_corpus["SciEntsBank"], cv.by_corpus["Beetle"]
            print(
                f"  en, SciEntsBank weight {weight:g} {tag}: SciEntsBank {sci:.3f}, Beetle {beetle:.3f}, "
                f"mean {(sci + beetle) / 2:.3f}"
            )
    print("  en, at a threshold tuned per corpus on the training folds (the benchmark's 'tuned' column):")
    for weight in (1.0, 2.0, 3.0):
        rows = [Row(r.feats, r.label, r.score, r.group, weight if r.group.startswith("Beetle") else 1.0) for r in en]
        tuned = per_corpus_threshold_cv(rows, EN_FEATURES)
        print(f"    Beetle weight {weight:g}: SciEntsBank {tuned['SciEntsBank']:.3f}, Beetle {tuned['Beetle']:.3f}")
    print(
        f"  {REFERENCE_ONLY_EN} (English rubrics without key points: SemEval), scored by the best reference; "
        "'tuned' = threshold tuned per corpus on the training folds, 'bot' = the combiner's one threshold;\n"
        "  5 folds by question (unseen questions) and by answer within question (unseen answers):"
    )
    reference_only_cv_table(
        (
            ("the en combiner's features", EN_FEATURES),
            ("candidate 1, forward from none", EN_REFERENCE_ONLY_FROM_NONE),
            ("candidate 2, forward from the en combiner's features", EN_REFERENCE_ONLY_FEATURES),
            ("candidate 3, forward from the en combiner's features, both fold kinds", EN_REFERENCE_ONLY_CANDIDATE_3),
        )
    )
    if full:
        print("    forward selection (what chose the candidates; many minutes):")
        weight, names = choose_english_reference_only(log=True)
        print(f"    from none: Beetle weight {weight:g}, {', '.join(names)}")
        _, names = choose_english_reference_only(log=True, start=EN_FEATURES, weights=(1.0,))
        print(f"    from the en combiner's features: {', '.join(names)}")
        names = choose_candidate_3(log=True)
        print(f"    candidate 3, from the en combiner's features, both fold kinds: {', '.join(names)}")
    zh = chinese_rows()[0]
    selected = select_features(zh, ZH_FEATURES, log=False)
    shipped = default_combiners()["zh"].names
    for tag, names in (
        ("every feature", ZH_FEATURES),
        (f"shipped features {', '.join(shipped)}", shipped),
        (f"select_features now {', '.join(selected)}", selected),
    ):
        cv = cross_validate(zh, names)
        held = zh_grader_held_out(zh, names)
        print(
            f"  zh on our Chinese answers ({len(zh)}), {tag}: macro-F1 {cv.macro_f1:.3f}, Pearson r {cv.pearson:.3f};"
            f" the grader with it (key points too): verdict agreement {held['verdict_agreement']:.3f}, Pearson r "
            f"{held['pearson']:.3f}, length r among answers scored <= 0.2 {held['low_length_r']:.3f}"
        )
    print("  (zh features are chosen by backward elimination on this held-out Pearson r: `select_features`)")
    le_zh_in_training(zh, selected)
    print(
        f"  {REFERENCE_ONLY_ZH} (Chinese rubrics without key points), fitted to the graded scores on le_zh plus our"
        " Chinese answers at a weight, features by forward selection on the held-out mean r of the two sets:"
    )
    weight, names = choose_reference_only({w: reference_only_rows(w) for w in OWN_WEIGHTS}, log=True)
    print(f"  chosen: our answers at weight {weight:g}, {', '.join(names)}")


def zh_grader_held_out(rows: Sequence[Row], names: Sequence[str], k: int = 5) -> dict[str, float]:
    """Our Chinese answers graded by the grader itself (key points and all) with a zh combiner over `names`
    fitted on the other folds by question: what a refit changes in a bank question's grade, held out."""
    records = own_chinese_records()  # one per row of `chinese_rows()`, in order
    by_id = {q.id: q for q in load_bank().questions}
    folds = folds_by_question(rows, k)
    scores = [0.0] * len(rows)
    for fold in range(k):
        combiner = fit_signed([r for r, f in zip(rows, folds, strict=True) if f != fold], names)
        grader = KeyPointGrader({**default_combiners(), "zh": combiner})
        for i, (r, f) in enumerate(zip(records, folds, strict=True)):
            if f == fold:
                scores[i] = grader.grade(rubric_for(by_id[r["qid"]]), r["answer"], r["locale"]).score
    gold = [float(r["score"]) for r in records]
    low = [(s, float(len(r["answer"]))) for s, r in zip(scores, records, strict=True) if r["score"] <= 0.2]
    return {
        "verdict_agreement": statistics.fmean(
            verdict_of(a) == verdict_of(b) for a, b in zip(scores, gold, strict=True)
        ),
        "pearson": pearson(scores, gold),
        "low_length_r": pearson([s for s, _ in low], [n for _, n in low]),
    }


def per_corpus_threshold_cv(rows: Sequence[Row], names: Sequence[str]) -> dict[str, float]:
    """Held-out macro-F1 per corpus (5 folds by question) at a threshold tuned per corpus on the training
    folds: what the benchmark's "tuned" column measures on the test splits."""
    folds = folds_by_question(rows)
    out = {}
    for corpus in SEMEVAL:
        gold, pred = [], []
        for fold in range(5):
            train = [r for r, f in zip(rows, folds, strict=True) if f != fold]
            combiner = fit_signed(train, names)
            mine = [r for r in train if r.group.startswith(corpus)]
            t, _ = best_threshold([combiner.probability(r.feats) for r in mine], [r.label for r in mine])
            for r, f in zip(rows, folds, strict=True):
                if f == fold and r.group.startswith(corpus):
                    gold.append(r.label)
                    pred.append(int(combiner.probability(r.feats) >= t))
        out[corpus] = macro_f1(gold, pred)
    return out


def le_zh_in_training(own: Sequence[Row], names: Sequence[str]) -> None:
    """What fitting the bank's Chinese combiner on le_zh too (at a weight per answer) would give, held out by
    question: le_zh's Pearson r against what it costs on our own answers. Not what ships: le_zh serves only the
    combiner for rubrics without key points."""
    le = le_zh_rows()[0]
    print("  zh fitted on our answers plus le_zh at a weight (5 folds by question), held out:")
    for weight in (0.0, 0.1, 0.25, 0.5):
        rows = [*own, *(Row(r.feats, r.label, r.score, r.group, weight) for r in le)] if weight else list(own)
        folds = folds_by_question(rows)
        scores, preds = [0.0] * len(rows), [0] * len(rows)
        for fold in range(5):
            combiner = fit_signed([r for r, f in zip(rows, folds, strict=True) if f != fold], names)
            for i, (r, f) in enumerate(zip(rows, folds, strict=True)):
                if f == fold:
                    p = combiner.probability(r.feats)
                    scores[i], preds[i] = combiner.calibrated(p), int(p >= combiner.threshold)
        n = len(own)
        le_r = pearson(scores[n:], [r.score for r in le]) if weight else float("nan")
        own_r = pearson(scores[:n], [r.score for r in own])
        own_f1 = macro_f1([r.label for r in own], preds[:n])
        print(f"    le_zh weight {weight:g}: le_zh r {le_r:.3f}, our answers r {own_r:.3f} macro-F1 {own_f1:.3f}")
