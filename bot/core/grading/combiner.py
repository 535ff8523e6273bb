"""The learned combiner: a logistic regression over the named features of `features.py`.

There is one per language, and their weights live in `combiner_weights.py` beside this file
(a dozen numbers each), written by `python benchmarks/grading.py --train`:

- `en` (and any language without its own): fitted on the *train* splits of SemEval-2013 Task 7
  (SciEntsBank and Beetle) and nothing else;
- `zh`: there is no public Chinese train split, so it is fitted on our own labelled Chinese answers
  (tests/data/graded_answers.jsonl) graded against the bank's Chinese reference answers;
- `zh:reference-only`: Chinese rubrics without key points (`studybot grade` lines, le_zh), whose score is
  this combiner's alone: fitted on le_zh and on our own Chinese answers graded without their key points;
- `en:reference-only`: English rubrics without key points (`studybot grade` lines, SemEval), where the weights
  hold one (`--train en:reference-only` fits it on the SemEval-2013 train splits; none is shipped: see the
  README); it may also read the features of `reference_features.py`.

See README.md here for provenance and licence.

`probability` is P(a strict grader calls the answer correct). `calibrated` maps it onto the
grader's score scale so that the probability that best separated correct from incorrect
answers on the train splits lands exactly on CORRECT_AT: the verdict threshold of the bot
and the tuned threshold of the benchmark are then one and the same.
"""

from __future__ import annotations

import math
import pprint
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.core.grading.features import FEATURES
from bot.core.grading.reference_features import REFERENCE_FEATURES

WEIGHTS_FILE = Path(__file__).with_name("combiner_weights.py")


def reference_only(lang: str) -> str:
    """The key of the combiner for `lang`'s rubrics without key points, where one is fitted for that case: a
    bank rubric's combiner is only a tenth of its score, beside the key points; here it is the whole score."""
    return f"{lang}:reference-only"


REFERENCE_ONLY_ZH = reference_only("zh")
REFERENCE_ONLY_EN = reference_only("en")


@dataclass(frozen=True)
class Combiner:
    names: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float  # the probability tuned on train to separate correct from incorrect
    correct_at: float = 0.6

    @property
    def reads_reference_features(self) -> bool:
        """It names features of `reference_features.py` (rubrics without key points only)."""
        return any(n in REFERENCE_FEATURES for n in self.names)

    def logit(self, feats: dict[str, float]) -> float:
        return self.intercept + sum(w * feats[n] for n, w in zip(self.names, self.coef, strict=True))

    def probability(self, feats: dict[str, float]) -> float:
        z = self.logit(feats)
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def calibrated(self, p: float) -> float:
        """A monotone, piecewise-linear map of p onto 0..1 with `threshold` -> `correct_at`."""
        t, c = self.threshold, self.correct_at
        if p <= t:
            return c * p / t if t > 0 else c
        return c + (1 - c) * (p - t) / (1 - t) if t < 1 else 1.0

    def contributions(self, feats: dict[str, float]) -> dict[str, float]:
        """Each feature's share of the logit: what pushed the score up or down."""
        return {n: round(w * feats[n], 4) for n, w in zip(self.names, self.coef, strict=True)}

    def to_json(self) -> dict[str, object]:
        return {
            "features": list(self.names),
            "coef": [round(c, 6) for c in self.coef],
            "intercept": round(self.intercept, 6),
            "threshold": round(self.threshold, 6),
        }


def from_json(data: dict[str, object], correct_at: float = 0.6) -> Combiner:
    names = tuple(str(n) for n in data["features"])  # type: ignore[attr-defined]
    unknown = set(names) - set(FEATURES) - set(REFERENCE_FEATURES)
    if unknown:
        raise ValueError(f"combiner weights name unknown features: {sorted(unknown)}")
    return Combiner(
        names=names,
        coef=tuple(float(c) for c in data["coef"]),  # type: ignore[attr-defined]
        intercept=float(data["intercept"]),  # type: ignore[arg-type]
        threshold=float(data["threshold"]),  # type: ignore[arg-type]
        correct_at=correct_at,
    )


def weights_source(combiners: dict[str, Combiner], provenance: str) -> str:
    """The text of `combiner_weights.py` (a Python literal: no data file to package)."""
    body = pprint.pformat({lang: c.to_json() for lang, c in combiners.items()}, indent=1, width=100, sort_dicts=False)
    doc = textwrap.fill(f"Weights of the learned combiners (generated: do not edit). {provenance}", 100)
    return f'"""{doc}\n"""\n\nWEIGHTS = {body}\n'


@lru_cache(maxsize=1)
def default_combiners() -> dict[str, Combiner]:
    from bot.core.grading.combiner_weights import WEIGHTS

    return {lang: from_json(w) for lang, w in WEIGHTS.items()}


def default_combiner(lang: str = "en") -> Combiner:
    combiners = default_combiners()
    return combiners.get(lang) or combiners["en"]
