"""Fitting the grader's combiners, and cross-validating them by question: shared by the benchmarks.

Everything that chooses a number of the grader from data lives here, so that every figure quoted in
bot/core/grading/README.md comes from code in the repository:

- `fit_logistic`: weighted, L2-regularised logistic regression (Newton's method, numpy);
- `fit_signed`: a combiner over given features, dropping those whose weight comes out against its
  expected sign (more agreement must never lower a score);
- `folds_by_question`: k folds that never split one question's answers between train and test;
  `folds_by_answer`: k folds by answer within question (every question's answers spread over the folds: what
  the SemEval "unseen answers" splits measure);
- `cross_validate`: held-out macro-F1 (threshold tuned on the training folds) and Pearson r;
- `held_out_scores`, `backward_eliminate` and `forward_select`: the held-out score of every row, and
  feature selection on any held-out criterion;
- `threshold_cv`: held-out macro-F1 per corpus at a threshold tuned per corpus and at the one shared
  threshold, as `benchmarks/grading.py` reads the SemEval test splits, in folds by question or by answer.
"""

from __future__ import annotations

import math
import statistics
import zlib
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.core.grading.combiner import Combiner

# More agreement with the reference must never lower the score (and a one-sided negation or unrelated
# words never raise it): a feature whose fitted weight has the other sign is dropped and the rest refit.
EXPECTED_SIGN = {
    "recall": 1,
    "precision": 1,
    "soft_recall": 1,
    "soft_precision": 1,
    "bigram_recall": 1,
    "char_dice": 1,
    "full_recall": 1,
    "semantic": 1,
    "unrelated": -1,
    "negation_mismatch": -1,
    "many_references": -1,
    "sc_recall": 1,
    "sc_precision": 1,
    "sc_dice": 1,
    "sc_dice_full": 1,
    "qgram_cosine": 1,
    "negated_shared": -1,
    "opposite_share": -1,
    "mean_soft_recall": 1,
    "mean_sc_dice": 1,
    "label_missed": -1,
    "label_missed_new": -1,
    "label_extra": -1,
    "label_mismatch": -1,
    "label_extra_min": -1,
    "mean_label_missed": -1,
    "state_conflict": -1,
    "state_agree": 1,
    "state_conflict_min": -1,
}


@dataclass(frozen=True)
class Row:
    """One labelled answer: its features, its gold label (1 = correct) and score, its group and weight."""

    feats: dict[str, float]
    label: int
    score: float
    group: str  # the question: folds never split one
    weight: float = 1.0
    # The features against each further reference the answer is compared with: the grader keeps the most
    # probable match (`best_probability`), `feats` being the one trained on.
    alternatives: tuple[dict[str, float], ...] = ()


def best_probability(combiner: Combiner, row: Row) -> float:
    """P(correct) as the grader gives it: the best over every reference the answer is compared with."""
    return max(combiner.probability(f) for f in (row.feats, *row.alternatives))


def macro_f1(gold: Sequence[int], pred: Sequence[int]) -> float:
    scores = []
    for c in (0, 1):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / 2


def best_threshold(scores: Sequence[float], gold: Sequence[int]) -> tuple[float, float]:
    """The threshold on `scores` with the best macro-F1 (ties: the lower threshold), and that F1.

    Candidates are the scores rounded to 4 places; each is scored by counting, with a binary search over
    the sorted scores of each class, how many of them reach it (O(n log n), not a pass per candidate)."""
    positives = sorted(s for s, g in zip(scores, gold, strict=True) if g == 1)
    negatives = sorted(s for s, g in zip(scores, gold, strict=True) if g != 1)
    best = (-1.0, 0.5)
    for t in sorted(set(round(s, 4) for s in scores)):
        tp = len(positives) - bisect_left(positives, t)
        fp = len(negatives) - bisect_left(negatives, t)
        fn, tn = len(positives) - tp, len(negatives) - fp
        f1_pos = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        f1_neg = 2 * tn / (2 * tn + fn + fp) if tn else 0.0
        f = (f1_pos + f1_neg) / 2
        if f > best[0]:
            best = (f, t)
    return best[1], best[0]


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float:
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    syy = math.sqrt(sum((y - my) ** 2 for y in ys))
    return sxy / (sxx * syy) if sxx and syy else 0.0


def fit_logistic(
    x: list[list[float]], y: Sequence[float], weights: list[float], l2: float = 1.0, steps: int = 50
) -> tuple[list[float], float]:
    """Weighted, L2-regularised logistic regression by Newton's method (as scikit-learn's C=1/l2), with numpy."""
    import numpy as np

    a = np.hstack([np.asarray(x, dtype=float), np.ones((len(x), 1))])
    t = np.asarray(y, dtype=float)
    sw = np.asarray(weights, dtype=float)
    w = np.zeros(a.shape[1])
    reg = np.full(a.shape[1], l2)
    reg[-1] = 0.0  # no penalty on the intercept
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(a @ w)))
        grad = a.T @ (sw * (p - t)) + reg * w
        hess = (a * (sw * p * (1 - p))[:, None]).T @ a + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-9:
            break
    return [float(v) for v in w[:-1]], float(w[-1])


def fit_signed(
    rows: Sequence[Row],
    names: Sequence[str],
    tag: str = "",
    log: Callable[[str], None] | None = None,
    soft: bool = False,
) -> Combiner:
    """A combiner over `names`, minus those whose weight comes out against its expected sign.

    `soft`: fit P(correct) to each row's graded score (a 0.7 counts as 0.7 of a correct answer) rather than
    to its label: where the gold is a score, not a verdict, that keeps what lies between the labels."""
    names = list(names)
    y = [r.label for r in rows]
    target: list[float] = [r.score for r in rows] if soft else [float(v) for v in y]
    weights = [r.weight for r in rows]
    while True:  # drop the feature whose weight most contradicts its expected sign, refit, repeat
        coef, intercept = fit_logistic([[r.feats[n] for n in names] for r in rows], target, weights)
        wrong = [
            (EXPECTED_SIGN.get(n, 0) * c, n)
            for n, c in zip(names, coef, strict=True)
            if EXPECTED_SIGN.get(n, 0) * c < 0
        ]
        if not wrong:
            break
        dropped = min(wrong)[1]
        if log:
            log(f"train {tag}: dropped {dropped} (its weight came out against its expected sign)")
        names.remove(dropped)
    draft = Combiner(tuple(names), tuple(coef), intercept, threshold=0.5)
    threshold, f1 = best_threshold([best_probability(draft, r) for r in rows], y)
    if log:
        log(f"train {tag}: {len(rows)} answers, macro-F1 {f1:.3f} at p >= {threshold:.3f}")
    return Combiner(tuple(names), tuple(coef), intercept, threshold=threshold)


def folds_by_question(rows: Sequence[Row], k: int = 5) -> list[int]:
    """The fold of each row: a stable hash of its question, so that one question is never on both sides."""
    return [zlib.crc32(r.group.encode()) % k for r in rows]


def folds_by_answer(rows: Sequence[Row], k: int = 5) -> list[int]:
    """The fold of each row, by answer within question: a question's answers are dealt in turn over the k folds
    (its n-th answer to fold (start + n) mod k, start a stable hash of the question), so that every question
    with at least k answers has some on each side, as in the SemEval "unseen answers" test splits."""
    seen: dict[str, int] = {}
    folds = []
    for r in rows:
        n = seen.get(r.group, 0)
        seen[r.group] = n + 1
        folds.append((zlib.crc32(r.group.encode()) + n) % k)
    return folds


FOLDS = {"question": folds_by_question, "answer": folds_by_answer}


@dataclass(frozen=True)
class HeldOut:
    macro_f1: float  # at the threshold tuned on the training folds
    pearson: float  # of the calibrated score (what the grader outputs) with the gold score
    by_corpus: dict[str, float]  # macro-F1 per corpus (rows grouped by the prefix of `group` before ':')


def cross_validate(rows: Sequence[Row], names: Sequence[str], k: int = 5) -> HeldOut:
    """Held-out figures of `fit_signed(names)` in k folds by question."""
    folds = folds_by_question(rows, k)
    probs = [0.0] * len(rows)
    preds = [0] * len(rows)
    for fold in range(k):
        train = [r for r, f in zip(rows, folds, strict=True) if f != fold]
        if not train or len({r.label for r in train}) < 2:
            continue
        combiner = fit_signed(train, names)
        for i, (r, f) in enumerate(zip(rows, folds, strict=True)):
            if f == fold:
                p = combiner.probability(r.feats)
                probs[i] = combiner.calibrated(p)  # the score the grader gives, on which Pearson r is read
                preds[i] = int(p >= combiner.threshold)
    gold = [r.label for r in rows]
    corpora: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        corpora.setdefault(r.group.split(":", 1)[0], []).append(i)
    return HeldOut(
        macro_f1=macro_f1(gold, preds),
        pearson=pearson(probs, [r.score for r in rows]),
        by_corpus={c: macro_f1([gold[i] for i in ix], [preds[i] for i in ix]) for c, ix in corpora.items()},
    )


def held_out_scores(rows: Sequence[Row], names: Sequence[str], k: int = 5, soft: bool = False) -> list[float]:
    """The calibrated score of every row from `fit_signed(names)` fitted on the other folds by question;
    rows of weight 0 are scored but never trained on."""
    folds = folds_by_question(rows, k)
    scores = [0.0] * len(rows)
    for fold in range(k):
        train = [r for r, f in zip(rows, folds, strict=True) if f != fold and r.weight > 0]
        if not train or len({r.label for r in train}) < 2:
            continue
        combiner = fit_signed(train, names, soft=soft)
        for i, (r, f) in enumerate(zip(rows, folds, strict=True)):
            if f == fold:
                scores[i] = combiner.calibrated(combiner.probability(r.feats))
    return scores


def backward_eliminate(
    names: Sequence[str], criterion: Callable[[Sequence[str]], float], log: Callable[[str], None] | None = None
) -> tuple[tuple[str, ...], float]:
    """Drop the feature whose removal most raises `criterion` (a held-out figure; ties and gains under 0.001
    favour the smaller model) until none does: the features kept and their figure."""
    chosen = list(names)
    best = criterion(chosen)
    while len(chosen) > 1:
        value, drop = max((criterion([n for n in chosen if n != d]), d) for d in chosen)
        if value < best - 0.001:
            break
        if log:
            log(f"drop {drop} (held out {best:.3f} -> {value:.3f})")
        chosen.remove(drop)
        best = max(best, value)
    return tuple(chosen), best


def forward_select(
    names: Sequence[str],
    criterion: Callable[[Sequence[str]], float],
    log: Callable[[str], None] | None = None,
    start: Sequence[str] = (),
) -> tuple[tuple[str, ...], float]:
    """Add the feature that most raises `criterion` (a held-out figure), from `start` (none by default), while
    it gains at least 0.001: the features kept and their figure. Where backward elimination stalls among many
    correlated features (each one's removal costs a little), this reaches the small model that generalises."""
    chosen: list[str] = list(start)
    best = criterion(chosen) if chosen else float("-inf")
    if log and chosen:
        log(f"start from {', '.join(chosen)} (held out {best:.3f})")
    while len(chosen) < len(names):
        value, add = max((criterion([*chosen, n]), n) for n in names if n not in chosen)
        if value < best + 0.001:
            break
        if log:
            log(f"add {add} (held out {best:.3f} -> {value:.3f})")
        chosen.append(add)
        best = value
    return tuple(chosen), best


@dataclass(frozen=True)
class CorpusFigures:
    tuned: dict[str, float]  # macro-F1 per corpus at a threshold tuned on that corpus's training folds
    shared: dict[str, float]  # at the combiner's own threshold (one for every corpus: the bot's score >= 0.6)

    @property
    def mean(self) -> float:
        """The selection criterion: the mean of both columns over every corpus."""
        return statistics.fmean([*self.tuned.values(), *self.shared.values()])


def threshold_cv(rows: Sequence[Row], names: Sequence[str], k: int = 5, by: str = "question") -> CorpusFigures:
    """Held-out macro-F1 per corpus (the prefix of `group` before ':') in k folds by question (`by`="question":
    unseen questions) or by answer within question (`by`="answer": unseen answers), the answer scored by its
    best reference (as the grader does): at a threshold tuned per corpus on the training folds (the
    benchmark's "tuned" column) and at the combiner's own, shared, threshold ("bot")."""
    folds = FOLDS[by](rows, k)
    corpus = [r.group.split(":", 1)[0] for r in rows]
    probs = [0.0] * len(rows)
    tuned_pred = [0] * len(rows)
    shared_pred = [0] * len(rows)
    for fold in range(k):
        inside = [i for i, f in enumerate(folds) if f != fold]
        if not inside:
            continue
        combiner = fit_signed([rows[i] for i in inside], names)
        for i in inside:
            probs[i] = best_probability(combiner, rows[i])
        thresholds = {}
        for c in set(corpus):
            mine = [i for i in inside if corpus[i] == c]
            thresholds[c], _ = best_threshold([probs[i] for i in mine], [rows[i].label for i in mine])
        for i, f in enumerate(folds):
            if f == fold:
                p = best_probability(combiner, rows[i])
                tuned_pred[i] = int(p >= thresholds.get(corpus[i], combiner.threshold))
                shared_pred[i] = int(p >= combiner.threshold)
    tuned, shared = {}, {}
    for c in sorted(set(corpus)):
        ix = [i for i in range(len(rows)) if corpus[i] == c]
        gold = [rows[i].label for i in ix]
        tuned[c] = macro_f1(gold, [tuned_pred[i] for i in ix])
        shared[c] = macro_f1(gold, [shared_pred[i] for i in ix])
    return CorpusFigures(tuned, shared)
