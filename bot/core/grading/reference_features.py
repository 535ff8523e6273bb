"""Further features of an answer against a reference, for rubrics without key points only.

A rubric without key points (a `studybot grade` line, the public benchmarks) is scored by the reference
match alone, so its combiner (`en:reference-only`) may read more than the bank's does; these are computed
only when the combiner names them, so bank grading never pays for them:

- soft cardinality (Jimenez, Becerra and Gelbukh, SemEval-2013 Task 7 "SOFTCARDINALITY"): the size of a
  set of words where near-identical words count as one, each word's share being one over the sum of its
  (character-trigram Dice) similarities with the set's words; the overlap of answer and reference is then
  |A| + |B| - |A ∪ B|, so misspellings and derivations still meet and repeated near-synonyms count once;
- character-trigram cosine of the content words (question words demoted);
- opposite words: an answer word whose opposite ("open" / "closed", "same" / "different") stands in the
  reference while it does not (the swapped-fact table, `swapped.opposites_en`, and a few more);
- negation scope: reference words the answer has too, but negated on one side only ("the bulb is not in a
  closed path" against "the bulb is in a closed path");
- the mean match over every reference, beside the best one's (`aggregate`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from bot.core.grading.features import STOP, Analysis, trigrams
from bot.core.grading.swapped import opposites_en
from bot.core.grading.text import FIRST_CJK, raw_tokens, stem_en

REFERENCE_FEATURES = (
    "sc_recall",  # soft-cardinality share of the reference's new words the answer holds
    "sc_precision",  # soft-cardinality share of the answer's new words the reference holds
    "sc_dice",  # soft-cardinality Dice of the two
    "sc_dice_full",  # the same without question demoting
    "qgram_cosine",  # character-trigram cosine of the content words, question words demoted
    "negated_shared",  # share of shared reference words negated on one side only
    "opposite_share",  # share of the answer's new words whose opposite the reference says instead
    "mean_soft_recall",  # soft_recall averaged over every reference (best and mean differ by chance)
    "mean_sc_dice",  # sc_dice averaged over every reference
)
# Soft cardinality's exponent: a similarity s counts as s ** P, so a pair of unrelated words sharing one
# trigram (Dice about 0.2) counts next to nothing and a misspelling (0.6-0.8) nearly as one word.
SC_POWER = 2.0
# Similarities under this count as none: unrelated words sharing a trigram or two never merge.
SC_FLOOR = 0.0
# A word stays under a negation for this many content words after its cue ("not in a closed path").
NEGATION_REACH = 4
# Opposites beside the swapped-fact table's: states of a circuit, a connection, a switch.
_MORE_OPPOSITES = "open closed|open close|connected separated|connected disconnected|complete incomplete|on off"
_NEG = frozenset("not no never none neither nor cannot without".split())


@lru_cache(maxsize=4096)
def _grams(word: str) -> frozenset[str]:
    return trigrams(word)


def soft_cardinality(words: Iterable[str]) -> float:
    """Σ over the distinct words of 1 / Σ_j sim(w, w_j) ** SC_POWER, sim the trigram Dice of the two words
    (1 for the word itself): n for n unrelated words, about 1 for n spellings of one word."""
    distinct = list(dict.fromkeys(words))
    if not distinct:
        return 0.0
    postings: dict[str, list[int]] = {}
    for i, w in enumerate(distinct):
        for g in _grams(w):
            postings.setdefault(g, []).append(i)
    total = 0.0
    for i, w in enumerate(distinct):
        shared: Counter[int] = Counter()
        for g in _grams(w):
            shared.update(postings[g])
        size = len(_grams(w))
        mass = 1.0  # the word itself
        for j, count in shared.items():
            sim = 2 * count / (size + len(_grams(distinct[j])))
            if j != i and sim >= SC_FLOOR:
                mass += sim**SC_POWER
        total += 1.0 / mass
    return total


def _surface(analysis: Analysis, units: Iterable[str]) -> list[str]:
    """The surface word of each English unit (its stem stands for it where none is kept)."""
    return [analysis.words.get(u, u) for u in units if u < FIRST_CJK]


def soft_overlap(a: Sequence[str], b: Sequence[str]) -> tuple[float, float, float]:
    """|A|', |B|' and |A ∩ B|' = |A|' + |B|' - |A ∪ B|' in soft cardinality."""
    ca, cb = soft_cardinality(a), soft_cardinality(b)
    both = max(0.0, ca + cb - soft_cardinality([*a, *b]))
    return ca, cb, min(both, ca, cb)


def _dice(ca: float, cb: float, both: float) -> float:
    return 2 * both / (ca + cb) if ca + cb else 0.0


def _negated_terms(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The stems of `text`'s content words, and those under a negation cue's reach."""
    terms: set[str] = set()
    negated: set[str] = set()
    reach = 0
    for tok in raw_tokens(text.replace("n't", " not")):
        if tok >= FIRST_CJK:
            continue
        if tok in _NEG:
            reach = NEGATION_REACH
            continue
        if tok in STOP:
            continue
        s = stem_en(tok)
        terms.add(s)
        if reach:
            negated.add(s)
            reach -= 1
    return frozenset(terms), frozenset(negated)


@lru_cache(maxsize=1)
def _opposites() -> dict[str, frozenset[str]]:
    table = {k: set(v) for k, v in opposites_en().items()}
    for pair in _MORE_OPPOSITES.split("|"):
        a, b = (stem_en(w) for w in pair.split())
        table.setdefault(a, set()).add(b)
        table.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in table.items()}


def _opposite_share(answer: frozenset[str], reference: frozenset[str]) -> float:
    """The share of the answer's words (not the reference's) whose opposite the reference has instead."""
    table = _opposites()
    own = answer - reference
    traded = [t for t in own if table.get(t, frozenset()) & (reference - answer)]
    return len(traded) / len(answer) if answer else 0.0


def _qgram_vector(words: Iterable[str]) -> Counter[str]:
    vector: Counter[str] = Counter()
    for w in words:
        vector.update(_grams(w))
    return vector


def _cosine(a: Mapping[str, int], b: Mapping[str, int]) -> float:
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def reference_features(answer: Analysis, reference: Analysis, question: frozenset[str]) -> dict[str, float]:
    """The features above of `answer` against one `reference` (every one but the aggregates)."""
    ref_units = reference.units - question or reference.units
    ans_units = answer.units - question
    a, b = _surface(answer, sorted(ans_units)), _surface(reference, sorted(ref_units))
    ca, cb, both = soft_overlap(a, b)
    full = soft_overlap(_surface(answer, sorted(answer.units)), _surface(reference, sorted(reference.units)))
    ans_terms, ans_negated = _negated_terms(answer.text)
    ref_terms, ref_negated = _negated_terms(reference.text)
    shared = ans_terms & ref_terms
    flipped = {t for t in shared if (t in ans_negated) != (t in ref_negated)}
    return {
        "sc_recall": both / cb if cb else 0.0,
        "sc_precision": both / ca if ca else 0.0,
        "sc_dice": _dice(ca, cb, both),
        "sc_dice_full": _dice(*full),
        "qgram_cosine": _cosine(_qgram_vector(a), _qgram_vector(b)),
        "negated_shared": len(flipped) / len(shared) if shared else 0.0,
        "opposite_share": _opposite_share(ans_units, ref_units),
    }


def aggregate(per_reference: Sequence[dict[str, float]]) -> dict[str, float]:
    """Features over every reference an answer is compared with: the same for each of them."""
    n = len(per_reference)
    return {
        "mean_soft_recall": sum(f["soft_recall"] for f in per_reference) / n if n else 0.0,
        "mean_sc_dice": sum(f["sc_dice"] for f in per_reference) / n if n else 0.0,
    }
