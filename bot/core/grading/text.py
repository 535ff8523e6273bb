"""Text normalisation shared by the grader: cleaning, tokens, light English stemming.

English words are reduced by a small suffix stripper (enough to make "quantized",
"quantization" and "quantizing" meet) rather than a full lemmatiser: it is deterministic,
fast and has no data files. Chinese text becomes character unigrams and bigrams, which
match technical terms without a segmenter's dictionary.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import accumulate

import snowballstemmer  # type: ignore[import-untyped]

# Zero-width and bidi control characters carry no meaning for grading.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A token: one Chinese character, or a run of Latin letters, digits and Greek letters joined by ".", "+" or "'".
# The two alternatives start on different characters, so their order changes no match (the Chinese one goes
# first: most tokens of a Chinese answer), and nothing follows the run, so it never backtracks (possessive:
# the engine keeps no backtracking state). A test holds it equal to the plain pattern.
_TOKEN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z0-9\u03b1-\u03c9]++(?:[.+'][a-z0-9\u03b1-\u03c9]++)*+"
)
# The same, captured: split by it, a text gives the gaps and tokens in turn (gap, token, gap, … gap) in one scan.
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")
# The lowest character of _TOKEN's Chinese ranges, above every character its other tokens start with: a
# token (as _TOKEN cuts it or `match_token` gives it, or a character pair of them) is Chinese exactly when it
# compares >= this, with no regex per token (the hot loops over 6,000-character answers use it).
FIRST_CJK = "\u3400"

STOP_EN = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each either etc few for from further
    had has have having he her here hers him his how i if in into is it its itself just let like may me
    might more most much must my no nor not now of off on once one only or other our out over own per
    really same shall she should so some such than that the their them then there these they this those
    through thus to too under until up upon us use used uses using very via was we were what when where
    which while who whom why will with within would yes yet you your""".split()
)
STOP_ZH = frozenset(
    "的 了 是 在 和 与 及 或 也 就 都 而 把 被 对 从 这 那 个 一 其 之 等 为 以 于 中 上 下 吗 呢 啊 吧 着 得 地".split()  # noqa: E501
)

_SUFFIXES = (
    "izations",
    "ization",
    "isations",
    "isation",
    "ational",
    "fulness",
    "ousness",
    "iveness",
    "ements",
    "ement",
    "ments",
    "ment",
    "ities",
    "ity",
    "ings",
    "ing",
    "ised",
    "ized",
    "izes",
    "ises",
    "ize",
    "ise",
    "ions",
    "ion",
    "ers",
    "er",
    "ies",
    "ied",
    "ed",
    "es",
    "ly",
    "s",
)


def clean(text: str) -> str:
    """NFKC, casefolded, without invisible or control characters, single-spaced."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return " ".join(text.casefold().split())


# Room for every text of the bank's rubrics (prompts, references, key points, both languages: about 9,000, as
# `features.analyse_rubric`): each grade cleans its rubric's texts about ten times. Answers go through `clean`
# uncached, so memory stays flat however many a bot grades.
@lru_cache(maxsize=16384)
def clean_rubric(text: str) -> str:
    """`clean` for the texts of a rubric, which recur: cached."""
    return clean(text)


# With PyStemmer installed (a dependency) this is the C Snowball, about a microsecond a word and with a
# word cache of its own (plain strings the garbage collector never walks): no Python cache in front.
_SNOWBALL = snowballstemmer.stemmer("english")


def stem_en(word: str) -> str:
    """The Snowball (Porter 2) stem: "values" and "value" meet, so do "evaporate" and "evaporated"."""
    if not word.isalpha() or len(word) <= 2:
        return word
    return str(_SNOWBALL.stemWord(word))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            root = word[: -len(suffix)]
            if root.endswith("i") and suffix in {"ies", "ied"}:
                root += "y"
            return root
    return word


def is_cjk(ch: str) -> bool:
    return bool(_CJK.match(ch))


def has_cjk(text: str) -> bool:
    """The text holds at least one Chinese character."""
    return _CJK.search(text) is not None


# What str.isalnum is not, character for character (a test checks every code point), and what is not Chinese.
_NOT_ALNUM = re.compile(r"[\W_]+")
_NOT_CJK = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def cjk_ratio(text: str) -> float:
    """The share of the letters and digits (str.isalnum) that are Chinese characters."""
    # Counted by regex substitution in C, with no string per character: answers run to 6,000.
    letters = _NOT_ALNUM.sub("", text)
    if not letters:
        return 0.0
    return len(_NOT_CJK.sub("", letters)) / len(letters)


def detect_lang(text: str) -> str:
    """'zh' when at least a fifth of the letters are Chinese characters, else 'en'."""
    return "zh" if cjk_ratio(text) >= 0.2 else "en"


def led_by(first: str, pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`pattern`, every match of which starts with one of the characters in `first` (each taken as written),
    behind a look-ahead for them.

    A pattern that opens with optional groups ("(?:这种|此)?(?:说法)?(?:是|并)…") is otherwise tried in full at
    every position of a long answer; with the look-ahead the engine tries one character class there (six times
    faster over a 4,000-character answer). tests/unit/test_led_patterns.py proves from each parsed pattern that
    no match can start with any other character, so the matches are the same."""
    return re.compile(f"(?=[{''.join(map(re.escape, first))}])(?:{pattern})", flags)


def raw_tokens(cleaned: str) -> tuple[str, ...]:
    return token_parts(cleaned)[1::2]


# An answer is cut into tokens by several readers (its reading, its analysis, the word-salad and list checks):
# one scan of it per grade. A few entries, so that the rubric texts read in between do not push it out.
@lru_cache(maxsize=8)
def token_parts(cleaned: str) -> tuple[str, ...]:
    """The gaps and tokens of a cleaned text in turn: gap, token, gap, token, … gap (one split, one scan)."""
    return tuple(_TOKEN_SPLIT.split(cleaned))


def content_terms(cleaned: str) -> list[str]:
    """Stemmed English content words, Chinese characters and Chinese character bigrams."""
    terms: list[str] = []
    prev_cjk: str | None = None
    for tok in raw_tokens(cleaned):
        if len(tok) == 1 and _CJK.match(tok):
            if tok not in STOP_ZH:
                terms.append(tok)
            if prev_cjk is not None:
                terms.append(prev_cjk + tok)
            prev_cjk = tok
            continue
        prev_cjk = None
        if tok in STOP_EN:
            continue
        terms.append(stem(tok))
    return terms


class AliasMatcher:
    """Finds an alias in cleaned text by comparing stemmed tokens, not characters.

    Both sides go through the same tokenizer and stemmer, so an alias always finds itself
    whatever its punctuation ("O(n²)", "cuda:0", "2–4×", "soft probabilities"), inflections
    meet ("quantized" finds "quantization"), and "low-rank" also finds "lowrank". Latin
    tokens must match whole: "BA" does not find "bananas".
    """

    __slots__ = ("joined", "symbols", "tokens", "weak")

    def __init__(self, alias: str) -> None:
        cleaned = clean(alias)
        self.tokens = _match_tokens(cleaned)
        self.joined = "".join(self.tokens) if len(self.tokens) > 1 and not any(map(is_cjk, self.tokens)) else None
        # An alias of symbols only ("##", "⊗", "▁") is looked for as it is written.
        self.symbols = cleaned if not self.tokens and cleaned else None
        self.weak = weak_alias(alias)

    def search(self, text: str) -> bool:
        if self.weak:
            return False
        if self.symbols is not None:
            return self.symbols in text
        if not self.tokens:
            return False
        return self.found_in(*_indexed_tokens(text))

    def found_in(self, tokens: tuple[str, ...], index: Mapping[str, Sequence[int]]) -> bool:
        """`search` over a text already split by `indexed_tokens` (for callers matching many aliases)."""
        if self.weak or not self.tokens:
            return False
        n = len(self.tokens)
        for start in index.get(self.tokens[0], ()):
            if tuple(tokens[start : start + n]) == self.tokens:
                return True
        return self.joined is not None and self.joined in index

    def spans(self, tokens: tuple[str, ...], index: dict[str, list[int]]) -> list[tuple[int, int]]:
        """Every place the alias stands in an indexed text: (first token, token count)."""
        if self.weak or not self.tokens:
            return []
        n = len(self.tokens)
        found = [(s, n) for s in index.get(self.tokens[0], ()) if tuple(tokens[s : s + n]) == self.tokens]
        if self.joined is not None:
            found += [(s, 1) for s in index.get(self.joined, ())]
        return found


def token_spans(cleaned: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...]]:
    """The start and end offsets of every token of a cleaned text, and the token as the matcher compares it."""
    # A 6,000-character Chinese answer has 6,000 tokens: no match object per token (each one is tracked by the
    # garbage collector), but the gaps and tokens in turn as strings from one split, their offsets the running
    # sum of their lengths, all in C loops; one pass of Python only to stem the English tokens (`match_token`
    # inlined, no regex per token to tell a Chinese one: see FIRST_CJK).
    parts = token_parts(cleaned)
    bounds = list(accumulate(map(len, parts[:-1])))  # the end of each gap (a token's start), of each token
    tokens = [tok if tok >= FIRST_CJK else stem_en(tok) for tok in parts[1::2]]
    return tuple(bounds[0::2]), tuple(bounds[1::2]), tuple(tokens)


def match_token(tok: str) -> str:
    return tok if _CJK.match(tok) else stem_en(tok)


def weak_alias(alias: str) -> bool:
    """One character, or a one- or two-digit number: it turns up in answers by chance ("90%", "云"),
    so it is no evidence of a key point and the grader ignores it (the content check flags it)."""
    tokens = _match_tokens(clean(alias))
    return len(tokens) == 1 and (len(tokens[0]) == 1 or (tokens[0].isdigit() and len(tokens[0]) <= 2))


def _match_tokens(cleaned: str) -> tuple[str, ...]:
    return tuple(tok if _CJK.match(tok) else stem_en(tok) for tok in raw_tokens(cleaned))


# Only the answer being graded needs its index. Positions are kept as tuples of ints, which the cyclic
# garbage collector stops tracking at once: thousands of lists per long answer kept alive would each be
# walked by every full collection (pauses of 100+ ms on a bot that has graded a few long answers).
@lru_cache(maxsize=2)
def _indexed_tokens(text: str) -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    """The stemmed tokens of one (cleaned) answer and where each occurs; kept while it is graded."""
    return indexed_tokens(text)


def indexed_tokens(text: str) -> tuple[tuple[str, ...], dict[str, tuple[int, ...]]]:
    """The stemmed tokens of a cleaned text and where each occurs, as `AliasMatcher.found_in` reads them."""
    tokens = _match_tokens(text)
    index: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        index.setdefault(tok, []).append(i)
    return tokens, {tok: tuple(at) for tok, at in index.items()}


def phrase_pattern(alias: str) -> AliasMatcher:
    """A matcher finding `alias` in cleaned text (`.search(text)`), cached per alias."""
    return _phrase_pattern(alias)


# Room for every alias and misconception term of the bank (about 21,000 after the start-up warm-up): a
# smaller cache churns, and every answer rebuilds matchers the warm-up had made (and frozen out of the GC).
@lru_cache(maxsize=32768)
def _phrase_pattern(alias: str) -> AliasMatcher:
    return AliasMatcher(alias)
