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
- the mean match over every reference, beside the best one's (`aggregate`);
- entity labels (SemEval's Beetle is about circuits: "bulb A", "bulbs A and C", "switch Y", "terminals 1, 2
  and 3"): a noun with a one-letter or one- or two-digit label, a run of labels coordinated after it, and
  bare letters that can only be labels ("B and C are in the same path"; "a" only where no noun follows it:
  "a is in a closed path", "bulbs b and a", not "a closed path"). Stop words and single letters carry no
  weight in the overlap features, so "bulb A is in a closed path" and "bulb C is in a closed path" look alike
  there; these tell them apart: the reference's labels the answer leaves out, the answer's labels that
  neither the reference nor the question names, and a noun the answer labels otherwise than the reference;
- circuit states said either way round (Beetle again): connected / not separated / no gap against separated /
  not connected / a gap, the same against different, closed / complete against open / incomplete, each state
  word read with a negation cue up to four words before it, and a second word of the same state in the same
  phrase ("not separated by the gap") taking the first one's sense: the answer says a state the other way
  round from the reference, or the same way.
"""

from __future__ import annotations

import math
import re
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
    "label_missed",  # share of the reference's entity labels the answer does not name (0: it names none)
    "label_missed_new",  # the same for the labels the question does not name
    "label_extra",  # share of the answer's labels that neither the reference nor the question names
    "label_mismatch",  # share of the answer's labelled nouns the reference labels otherwise ("switch Y" / "X")
    "label_extra_min",  # label_extra against the reference that names most of the answer's labels
    "mean_label_missed",  # label_missed averaged over every reference
    "state_conflict",  # a circuit state the answer says the other way round ("connected" / "separated by a gap")
    "state_agree",  # a circuit state the answer says as the reference does
    "state_conflict_min",  # state_conflict against every reference (1: it contradicts each that says a state)
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


# Nouns a label follows ("bulb a", "terminals 1 and 4"), plural -> singular.
_LABEL_NOUNS = {
    **{w: w for w in "bulb switch terminal path battery circuit wire lamp resistor point node".split()},
    **{w + "s": w for w in "bulb terminal path circuit wire lamp resistor point node".split()},
    "switches": "switch",
    "batteries": "battery",
}
# Tokens that may follow a bare "a" used as a label ("a and c", "a is in a closed path", "containing a."): a
# noun or an adjective after it makes it the article ("a closed path").
_AFTER_LABEL_A = frozenset(
    ", ; : . ) / & ! ? and or nor but then so because is are was were will would does did "
    "doesn't didn't don't has had have can could cannot can't should must isn't aren't wasn't weren't won't "
    "stays stay remains remain goes turns lights burns on off still also only too".split()
)
# After a noun "a" is a label ("bulb a lights", "bulb a burned out") unless one of these follows it, which
# make it the article ("the path a bulb is in", "terminal a different state").
_AFTER_ARTICLE_A = frozenset(
    "closed open complete different separate same gap short new single current voltage".split()
)
_CONNECTORS = frozenset(", and or nor & /".split())
# Words and numbers whole ("3d", "1.5", "e.g", "it's" are no labels), and the punctuation a label may touch.
_LABEL_TOKEN = re.compile(r"[a-z0-9]+(?:['’.][a-z0-9]+)*|[,;:.()/&!?]")


# "terminal one" is "terminal 1" (after a noun only: "one" alone is no label).
_NUMBER_WORDS = {w: str(i) for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}


def _label_shape(tok: str) -> bool:
    """One letter (not "i") or a number of one or two digits: what can label a bulb, a switch, a terminal."""
    return (len(tok) == 1 and "a" <= tok <= "z" and tok != "i") or (tok.isdigit() and len(tok) <= 2)


def entity_labels(text: str) -> frozenset[tuple[str, str]]:
    """The labelled entities a cleaned (lower-case) English text names, as (noun, label): "bulbs a and c" ->
    ("bulb", "a"), ("bulb", "c"); a bare label ("b and c are in the same path") has the noun ""."""
    toks = _LABEL_TOKEN.findall(text)
    n = len(toks)
    for i in range(1, n):  # number words after a noun, or chained after one ("terminals one and two")
        if toks[i] in _NUMBER_WORDS and (toks[i - 1] in _LABEL_NOUNS or _follows_number(toks, i)):
            toks[i] = _NUMBER_WORDS[toks[i]]
    out: set[tuple[str, str]] = set()

    def is_label(i: int, after_noun: bool) -> bool:
        tok = toks[i]
        if not _label_shape(tok):
            return False
        if tok == "a":  # the article unless nothing noun-like follows it
            if i + 1 == n:
                return True
            after = toks[i + 1]
            if after_noun:
                return after not in _AFTER_ARTICLE_A and after not in _LABEL_NOUNS
            return after in _AFTER_LABEL_A
        if tok.isdigit():  # a bare number is a label only after a noun or beside another ("1 and 4")
            return after_noun
        return True

    i = 0
    while i < n:
        tok = toks[i]
        noun = _LABEL_NOUNS.get(tok)
        if noun is not None and i + 1 < n and is_label(i + 1, True):
            start, after_noun = i + 1, True
        elif noun is None and is_label(i, False):
            start, after_noun, noun = i, False, ""
        elif noun is None and tok.isdigit() and len(tok) <= 2 and _chained_digit(toks, i):
            start, after_noun, noun = i, True, ""
        else:
            i += 1
            continue
        out.add((noun, toks[start]))
        j = start + 1
        while j < n:  # a run of labels coordinated after the first: "a, b and c", "1, 2, and 3"
            k = j
            while k < n and toks[k] in _CONNECTORS:
                k += 1
            if k == j or k >= n or _LABEL_NOUNS.get(toks[k]) or not is_label(k, after_noun):
                break
            out.add((noun, toks[k]))
            j = k + 1
        i = j
    return frozenset(out)


def _follows_number(toks: Sequence[str], i: int) -> bool:
    """toks[i] follows a number through a connector ("1 and two")."""
    k = i - 1
    while k > 0 and toks[k] in _CONNECTORS:
        k -= 1
    return k < i - 1 and toks[k].isdigit()


def _chained_digit(toks: Sequence[str], i: int) -> bool:
    """A bare number joined to another ("1 and 4", "4, 5"): both label something."""
    k = i + 1
    while k < len(toks) and toks[k] in _CONNECTORS:
        k += 1
    return k > i + 1 and k < len(toks) and toks[k].isdigit() and len(toks[k]) <= 2


# Circuit states: each word says its state (+1) or the opposite (-1); a negation cue before it turns it round.
_STATES = {
    **dict.fromkeys("connected connect connects connecting connection attached joined linked".split(), ("conn", 1)),
    **dict.fromkeys("separated separate separates disconnected gap gaps apart".split(), ("conn", -1)),
    **dict.fromkeys("same equal identical".split(), ("same", 1)),
    **dict.fromkeys("different differ differs difference".split(), ("same", -1)),
    **dict.fromkeys("closed complete completed".split(), ("closed", 1)),
    **dict.fromkeys("open incomplete".split(), ("closed", -1)),
}
STATE_NEGATION_REACH = 4


def _is_negation(tok: str) -> bool:
    return tok in _NEG or tok.endswith("n't") or tok.endswith("n’t")


def circuit_states(text: str) -> dict[str, frozenset[int]]:
    """The states a cleaned English text says, each with the signs it says it with ("no gap" -> conn +1)."""
    out: dict[str, set[int]] = {}
    reach = 0
    last = ("", 0, 0, -9)  # the last state word: its state, its own sign, the sign said, its place
    for i, tok in enumerate(_LABEL_TOKEN.findall(text)):
        if _is_negation(tok):
            reach = STATE_NEGATION_REACH
            continue
        state = _STATES.get(tok)
        if state is not None:
            name, sign = state
            if name == last[0] and i - last[3] <= STATE_NEGATION_REACH and not reach:
                said = last[2] * sign * last[1]  # one phrase, one state: "not separated by a gap"
            else:
                said = -sign if reach else sign
            out.setdefault(name, set()).add(said)
            last, reach = (name, sign, said, i), 0
            continue
        if tok in ",;:.()!?":
            reach = 0
        elif reach:
            reach -= 1
    return {k: frozenset(v) for k, v in out.items()}


def state_features(answer: str, reference: str) -> dict[str, float]:
    """Whether the answer says a circuit state the reference says, the other way round or the same way."""
    ans, ref = circuit_states(answer), circuit_states(reference)
    shared = [k for k in ans if k in ref]
    conflict = any(not (ans[k] & ref[k]) for k in shared)
    agree = any(ans[k] & ref[k] for k in shared)
    return {"state_conflict": float(conflict), "state_agree": float(agree)}


def label_features(answer: str, reference: str, question: str = "") -> dict[str, float]:
    """The label features above of a cleaned `answer` against a cleaned `reference` (and `question`)."""
    ans, ref = entity_labels(answer), entity_labels(reference)
    q_labels = {label for _, label in entity_labels(question)} if question else set()
    ans_labels = {label for _, label in ans}
    ref_labels = {label for _, label in ref}
    new = ref_labels - q_labels
    extra = ans_labels - ref_labels - q_labels
    ref_by_noun: dict[str, set[str]] = {}
    for noun, label in ref:
        ref_by_noun.setdefault(noun, set()).add(label)
    bare = ref_by_noun.get("", set())
    nouned = [(noun, label) for noun, label in ans if noun]
    mismatched = [
        1 for noun, label in nouned if noun in ref_by_noun and label not in ref_by_noun[noun] and label not in bare
    ]
    return {
        "label_missed": len(ref_labels - ans_labels) / len(ref_labels) if ref_labels else 0.0,
        "label_missed_new": len(new - ans_labels) / len(new) if new else 0.0,
        "label_extra": len(extra) / len(ans_labels) if ans_labels else 0.0,
        "label_mismatch": len(mismatched) / len(nouned) if nouned else 0.0,
    }


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


def reference_features(
    answer: Analysis, reference: Analysis, question: frozenset[str], question_text: str = ""
) -> dict[str, float]:
    """The features above of `answer` against one `reference` (every one but the aggregates); `question` holds
    the question's units, `question_text` its cleaned text (for the labels it names)."""
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
        **label_features(answer.text, reference.text, question_text),
        **state_features(answer.text, reference.text),
    }


def aggregate(per_reference: Sequence[dict[str, float]]) -> dict[str, float]:
    """Features over every reference an answer is compared with: the same for each of them."""
    n = len(per_reference)
    return {
        "mean_soft_recall": sum(f["soft_recall"] for f in per_reference) / n if n else 0.0,
        "mean_sc_dice": sum(f["sc_dice"] for f in per_reference) / n if n else 0.0,
        "label_extra_min": min((f["label_extra"] for f in per_reference), default=0.0),
        "mean_label_missed": sum(f["label_missed"] for f in per_reference) / n if n else 0.0,
        # the answer says a state the other way round from some reference and as none does
        "state_conflict_min": float(
            any(f["state_conflict"] for f in per_reference) and not any(f["state_agree"] for f in per_reference)
        ),
    }
