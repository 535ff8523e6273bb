"""Text normalisation shared by the grader: cleaning, tokens, light English stemming.

English words are reduced by a small suffix stripper (enough to make "quantized",
"quantization" and "quantizing" meet) rather than a full lemmatiser: it is deterministic,
fast and has no data files. Chinese text becomes character unigrams and bigrams, which
match technical terms without a segmenter's dictionary.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Zero-width and bidi control characters carry no meaning for grading.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TOKEN = re.compile(r"[a-z0-9]+(?:[.+'][a-z0-9]+)*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

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
    "izations", "ization", "isations", "isation", "ational", "fulness", "ousness", "iveness",
    "ements", "ement", "ments", "ment", "ities", "ity", "ings", "ing", "ised", "ized", "izes",
    "ises", "ize", "ise", "ions", "ion", "ers", "er", "ies", "ied", "ed", "es", "ly", "s",
)


def clean(text: str) -> str:
    """NFKC, casefolded, without invisible or control characters, single-spaced."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    return " ".join(text.casefold().split())


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


def cjk_ratio(text: str) -> float:
    letters = [c for c in text if c.isalnum()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if _CJK.match(c)) / len(letters)


def detect_lang(text: str) -> str:
    """'zh' when at least a fifth of the letters are Chinese characters, else 'en'."""
    return "zh" if cjk_ratio(text) >= 0.2 else "en"


def raw_tokens(cleaned: str) -> list[str]:
    return _TOKEN.findall(cleaned)


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


_INFLECTION = (
    "(?:s|es|e|ed|d|ing|ings|ion|ions|ation|ations|er|ers|ly|al|ally|ity|ize|izes|ized|izing"
    "|ization|izations|ise|ised|ising|isation|y|ies|ied|ment|ments|ive)?"
)


def phrase_pattern(alias: str) -> re.Pattern[str]:
    """A pattern finding `alias` in cleaned text: word-bounded for Latin, plain for Chinese."""
    return _phrase_pattern(clean(alias))


@lru_cache(maxsize=16384)
def _phrase_pattern(alias: str) -> re.Pattern[str]:
    parts = []
    for tok in raw_tokens(alias):
        if _CJK.match(tok):
            parts.append(re.escape(tok))
        elif len(tok) < 4:
            parts.append(re.escape(tok) + "s?")  # "BA" must not find "bananas"
        else:
            # Let each Latin word carry its inflections: "quantize" finds "quantized".
            parts.append(re.escape(stem(tok)) + _INFLECTION)
    if not parts:
        return re.compile(re.escape(alias)) if alias else re.compile(r"(?!x)x")
    body = r"[\s\-_/]*".join(parts)
    return re.compile(r"(?<![a-z0-9])" + body + r"(?![a-z0-9])")
