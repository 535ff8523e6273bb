"""How close an answer comes to a reference statement, as a handful of named numbers.

These are the inputs of the learned combiner (`combiner.py`). Every one is a plain, explainable
overlap measure in the spirit of the best SemEval-2013 systems:

- words are compared as Snowball stems (English) or as characters and character bigrams
  (Chinese), so "evaporated" meets "evaporation" and 低秩 meets 低秩矩阵;
- words that already stand in the question earn nothing ("question demoting");
- a reference word that the answer lacks can still be matched *softly* by a misspelt or
  differently derived word of the answer, through character-trigram overlap ("soft
  cardinality"): "resistence" counts for "resistance";
- a negation present on one side only ("not connected" vs "connected") is a feature of its own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass
from functools import cached_property, lru_cache

from bot.core.grading.text import FIRST_CJK, STOP_EN, STOP_ZH, raw_tokens, stem_en

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Negation words: English, and Chinese characters/words that negate what follows.
_NEG_EN = frozenset(
    "not no never none nothing neither nor cannot cant can't don't doesn't isn't aren't wasn't"
    " weren't won't wouldn't shouldn't couldn't didn't hasn't haven't without".split()
)
_NEG_ZH = re.compile("不|没|无|非|未|别")
# Words kept although they are stop words: they carry meaning in a short answer.
_KEEP = frozenset(
    {
        "not",
        "no",
        "more",
        "most",
        "less",
        "same",
        "before",
        "after",
        "up",
        "down",
        "off",
        "on",
        "out",
        "over",
        "under",
        "between",
        "both",
        "only",
        "all",
        "each",
        "other",
        "few",
        "own",
    }
)
STOP = STOP_EN - _KEEP


def trigrams(term: str) -> frozenset[str]:
    padded = f"#{term}#"
    return frozenset([padded[i : i + 3] for i in range(len(padded) - 2)])  # a list builds faster than a generator


@dataclass(frozen=True)
class Analysis:
    """The parts of one cleaned text the features look at."""

    terms: tuple[str, ...]  # content terms in order: English stems, Chinese characters
    units: frozenset[str]  # terms plus Chinese character bigrams
    bigrams: frozenset[tuple[str, str]]  # consecutive English content stems
    words: dict[str, str]  # stem -> one surface word (for soft matching)
    negated: bool
    text: str  # the cleaned text itself

    @cached_property
    def grams(self) -> frozenset[str]:
        """Its character 4-grams (on first use: a long answer's whole text never needs them, only its credible part)."""
        return char_grams(self.text)

    @cached_property
    def soft_index(self) -> SoftIndex:
        """Its words indexed by character trigram, for soft matching (built once, on first use)."""
        # `words` holds every English unit; the Chinese ones (characters, pairs) are never indexed.
        return SoftIndex(self.words)

    @cached_property
    def word_order(self) -> dict[str, int]:
        """Each term's place among its words, first occurrence first: soft hits are summed in this order."""
        return {t: i for i, t in enumerate(self.words)}


def char_grams(text: str, n: int = 4) -> frozenset[str]:
    t = f" {text} "
    return frozenset([t[i : i + n] for i in range(max(0, len(t) - n + 1))])  # a list builds faster (see trigrams)


# Room for every text of the bank (prompts, references, key points, both languages: about 9,000): a
# smaller cache would churn and keep re-analysing (and re-indexing) the same texts.
@lru_cache(maxsize=16384)
def analyse_rubric(cleaned: str) -> Analysis:
    """`analyse` for the texts of a rubric (questions, references, key points), which recur: cached."""
    return analyse(cleaned)


# The answer and its credible part are each read by the credit rules and by the combiner: one
# analysis (and one soft index) per text per grade. Two grades' worth of entries: memory stays flat.
@lru_cache(maxsize=4)
def analyse_answer(cleaned: str) -> Analysis:
    """`analyse` for the texts of the answer being graded."""
    return analyse(cleaned)


def analyse(cleaned: str) -> Analysis:
    terms: list[str] = []
    units: list[str] = []
    words: dict[str, str] = {}
    bigrams: list[tuple[str, str]] = []
    prev_cjk: str | None = None
    prev_en: str | None = None
    negated = bool(_NEG_ZH.search(cleaned))
    for tok in raw_tokens(cleaned.replace("n't", " not")):
        if tok >= FIRST_CJK:  # a Chinese character (see text.FIRST_CJK): no regex per token
            if tok not in STOP_ZH:
                terms.append(tok)
                units.append(tok)
            if prev_cjk is not None:
                units.append(prev_cjk + tok)
            prev_cjk, prev_en = tok, None
            continue
        prev_cjk = None
        if tok in _NEG_EN:
            negated = True
        if tok in STOP:
            continue
        s = stem_en(tok)
        terms.append(s)
        units.append(s)
        words.setdefault(s, tok)
        if prev_en is not None:
            bigrams.append((prev_en, s))
        prev_en = s
    return Analysis(tuple(terms), frozenset(units), frozenset(bigrams), words, negated, cleaned)


# Soft matching compares words of at least this many characters, at most this much apart in length.
_SOFT_MIN_LEN = 4
_SOFT_MAX_LEN_GAP = 4
_SOFT_MIN_DICE = 0.5


class SoftIndex:
    """Words (term -> surface word) indexed by character trigram.

    `best` finds the best trigram Dice between a word and the indexed words by visiting only words
    that share a trigram with it: linear in the word's trigrams, not in the size of the pool, so a
    long answer full of unseen words costs what its words cost and no more.
    """

    __slots__ = ("_postings",)
    _postings: dict[str, tuple[tuple[str, str, int], ...]]

    def __init__(self, words: Mapping[str, str]) -> None:
        postings: dict[str, list[tuple[str, str, int]]] = {}
        for term, word in words.items():
            if len(word) < _SOFT_MIN_LEN or _CJK.match(term):
                continue
            grams = trigrams(word)
            entry = (term, word, len(grams))
            for g in grams:
                postings.setdefault(g, []).append(entry)
        # Tuples of strings and ints drop out of the garbage collector's sight; lists would stay in it.
        self._postings = {g: tuple(entries) for g, entries in postings.items()}

    def best(self, word: str, among: Set[str]) -> float:
        """The best trigram Dice of `word` with an indexed word whose term is in `among` (0 below 0.5)."""
        if len(word) < _SOFT_MIN_LEN:
            return 0.0
        grams = trigrams(word)
        shared: dict[tuple[str, str, int], int] = {}
        for g in grams:
            for entry in self._postings.get(g, ()):
                shared[entry] = shared.get(entry, 0) + 1
        best = 0.0
        n = len(grams)
        for (term, other, size), count in shared.items():
            if abs(len(other) - len(word)) > _SOFT_MAX_LEN_GAP or term not in among:
                continue
            dice = 2 * count / (n + size)
            if dice > best:
                best = dice
        return best if best >= _SOFT_MIN_DICE else 0.0

    def dice_each(self, word: str, among: Set[str]) -> dict[str, float]:
        """The trigram Dice of `word` with every indexed word whose term is in `among` and that shares a
        trigram with it (length rules as in `best`; no floor)."""
        if len(word) < _SOFT_MIN_LEN:
            return {}
        grams = trigrams(word)
        shared: dict[tuple[str, str, int], int] = {}
        for g in grams:
            for entry in self._postings.get(g, ()):
                shared[entry] = shared.get(entry, 0) + 1
        n = len(grams)
        return {
            term: 2 * count / (n + size)
            for (term, other, size), count in shared.items()
            if term in among and abs(len(other) - len(word)) <= _SOFT_MAX_LEN_GAP
        }


@lru_cache(maxsize=1024)
def _question_index(question: frozenset[str]) -> SoftIndex:
    return SoftIndex({t: t for t in question})


FEATURES = (
    "recall",  # demoted reference units found in the answer
    "precision",  # demoted answer units found in the reference
    "soft_recall",  # as recall, misspellings and derivations counting by trigram overlap
    "soft_precision",
    "unrelated",  # share of the answer's new words found neither in the reference nor the question
    "bigram_recall",  # reference word pairs found in the answer
    "char_dice",  # character 4-gram overlap of the whole texts
    "question_share",  # share of the answer's words that only repeat the question
    "negation_mismatch",  # one side negates, the other does not
    "log_length",  # log(1 + answer content words)
    "length_ratio",  # log of answer over reference length
    "full_recall",  # recall without question demoting
    # log of how many reference answers the answer was matched against (0 for one): the best of several
    # matches is higher by chance, and this takes that back (SemEval's Beetle has about 4 per question)
    "many_references",
)


def _soft_hits(answer: Analysis, reference: Analysis, ans: frozenset[str], ref: frozenset[str]) -> float:
    hit = ans & ref
    soft_hit = float(len(hit))
    missing = {t for t in ref - hit if t < FIRST_CJK}  # Chinese units aside (see text.FIRST_CJK)
    if missing and ans:
        # Each missing reference word is looked up in the answer's index, built once per answer and read by
        # every key point and reference: a few lookups per point, not a pass over a long answer for each.
        # A missing word scores its best match (from 0.5); the sum runs in the order of each one's first
        # matching answer word, so that it adds up as a pass over the answer would.
        index, order = answer.soft_index, answer.word_order
        found: list[tuple[int, float]] = []
        for t in missing:
            matches = {a: d for a, d in index.dice_each(reference.words.get(t, t), ans).items() if d >= _SOFT_MIN_DICE}
            if matches:
                found.append((min(order[a] for a in matches), max(matches.values())))
        soft_hit += sum(d for _, d in sorted(found))
    return soft_hit


def soft_recall(answer: Analysis, reference: Analysis, question: frozenset[str]) -> float:
    """The share of the reference's new (not-in-the-question) units that the answer matches, softly."""
    ref = reference.units - question or reference.units
    return _soft_hits(answer, reference, answer.units - question, ref) / len(ref) if ref else 0.0


def features(
    answer: Analysis, reference: Analysis, question: frozenset[str], n_references: int = 1
) -> dict[str, float]:
    """The named features of `answer` against one `reference` (of `n_references` it is compared with);
    `question` holds the question's units."""
    ref = reference.units - question or reference.units
    ans_all = answer.units
    ans = ans_all - question
    hit = ans & ref
    recall = len(hit) / len(ref) if ref else 0.0
    precision = len(hit) / len(ans) if ans else 0.0
    soft_recall = _soft_hits(answer, reference, ans, ref) / len(ref) if ref else 0.0

    extra = ans - ref
    soft_prec_hit = float(len(hit))
    unrelated = 0
    if extra:
        index = reference.soft_index
        qindex = _question_index(question)
        # A Chinese unit (a character or character pair, see text.FIRST_CJK) has no soft match: unrelated if
        # not in the reference. Only the English ones are looked up, in the set's order (the sum's order).
        english = [t for t in extra if t < FIRST_CJK]
        unrelated = len(extra) - len(english)
        for t in english:
            word = answer.words.get(t, t)
            s = index.best(word, ref)
            soft_prec_hit += s
            if s == 0.0 and qindex.best(word, question) == 0.0:
                unrelated += 1
    soft_precision = soft_prec_hit / len(ans) if ans else 0.0

    ref_bigrams = {b for b in reference.bigrams if not (b[0] in question and b[1] in question)}
    bigram_recall = len(ref_bigrams & answer.bigrams) / len(ref_bigrams) if ref_bigrams else recall

    ga, gr = answer.grams, reference.grams
    char_dice = 2 * len(ga & gr) / (len(ga) + len(gr)) if ga and gr else 0.0

    n_ans = len(answer.terms)
    in_question = sum(1 for t in answer.terms if t in question)
    full = reference.units
    return {
        "recall": recall,
        "precision": precision,
        "soft_recall": soft_recall,
        "soft_precision": soft_precision,
        "unrelated": unrelated / len(ans) if ans else 0.0,
        "bigram_recall": bigram_recall,
        "char_dice": char_dice,
        "question_share": in_question / n_ans if n_ans else 0.0,
        "negation_mismatch": float(answer.negated != reference.negated),
        "log_length": math.log1p(len(ans)),
        "length_ratio": math.log((len(ans) + 1) / (len(ref) + 1)),
        "full_recall": len(ans_all & full) / len(full) if full else 0.0,
        "many_references": math.log(max(1, n_references)),
    }
