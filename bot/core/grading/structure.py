"""Shape of an answer beyond its words: word salad, and dumps far longer than the question needs.

- **Word salad**: the model answer's words in a shuffled order. It uses the reference's vocabulary
  almost entirely, but its neighbouring words rarely stand together in the reference (English:
  word pairs), and in Chinese its character pairs are ones the bank's Chinese never uses. An answer
  in the learner's own words uses fewer of the reference's words; a copied phrase keeps its pairs.
- **Dump**: an answer many times longer than the model answer (nine neighbouring answers pasted
  together) is graded down steeply: whatever it covers, it does not say what matters.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from bot.core.grading.text import raw_tokens

# English salad: at least this share of the answer's words are the reference's, yet fewer than this
# share of its neighbouring pairs (both words from the reference) stand together in the reference.
SALAD_VOCABULARY = 0.85
SALAD_PAIRS_EN = 0.25
# Chinese salad: at least this share of its characters are the reference's, and fewer than this share
# of its character pairs are ones the bank's Chinese (or the reference itself) uses.
SALAD_CHARS_ZH = 0.9
SALAD_PAIRS_ZH = 0.78
SALAD_MIN_TOKENS = 6
# A pair of Chinese characters is known to the table when the bank uses it this often: rarer pairs
# are as often chance neighbours across a phrase boundary as words.
PAIR_MIN_COUNT = 2
# Salad is judged on answers at least half as long as the reference: a short answer in the reference's
# words ("It adds low rank matrices to the model") reuses them as any short answer would.
SALAD_LENGTH = 0.5
# An answer up to this many times the model answer's length is graded as it is; beyond, its score is
# scaled down by the square of allowance / length.
LENGTH_ALLOWANCE = 3.0

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def word_salad(answer: str, reference: str) -> bool:
    """Whether `answer` (cleaned) is the reference's words in an order no sentence would have."""
    if _CJK_RUN.search(answer) and len("".join(_CJK_RUN.findall(answer))) >= SALAD_MIN_TOKENS:
        return _salad_zh(answer, reference)
    words = raw_tokens(answer)
    ref = raw_tokens(reference)
    if len(words) < max(SALAD_MIN_TOKENS, SALAD_LENGTH * len(ref)):
        return False
    vocabulary = set(ref)
    if sum(w in vocabulary for w in words) < SALAD_VOCABULARY * len(words):
        return False
    pairs = set(itertools.pairwise(ref))
    candidates = [p for p in itertools.pairwise(words) if p[0] in vocabulary and p[1] in vocabulary]
    return bool(candidates) and sum(p in pairs for p in candidates) < SALAD_PAIRS_EN * len(candidates)


def _salad_zh(answer: str, reference: str) -> bool:
    chars = "".join(_CJK_RUN.findall(answer))
    reference_chars = "".join(_CJK_RUN.findall(reference))
    if len(chars) < SALAD_LENGTH * len(reference_chars):
        return False
    ref_chars = set(reference_chars)
    if sum(c in ref_chars for c in chars) < SALAD_CHARS_ZH * len(chars):
        return False
    pairs = [run[i : i + 2] for run in _CJK_RUN.findall(answer) for i in range(len(run) - 1)]
    if len(pairs) < SALAD_MIN_TOKENS:
        return False
    known = _zh_pairs()
    own = _pairs_of(reference)  # the reference's own words are Chinese too, however new the question
    return sum(p in known or p in own for p in pairs) < SALAD_PAIRS_ZH * len(pairs)


@lru_cache(maxsize=256)
def _pairs_of(text: str) -> frozenset[str]:
    return frozenset(run[i : i + 2] for run in _CJK_RUN.findall(text) for i in range(len(run) - 1))


@lru_cache(maxsize=1)
def _zh_pairs() -> frozenset[str]:
    from bot.core.grading.zh_pairs import PAIRS

    return frozenset(PAIRS[i : i + 2] for i in range(0, len(PAIRS), 2))


def length_factor(answer_terms: int, reference_terms: int) -> float:
    """1 up to LENGTH_ALLOWANCE times the reference's length, then (allowance / length) squared: twice
    the allowance keeps a quarter of the score."""
    if reference_terms <= 0 or answer_terms <= LENGTH_ALLOWANCE * reference_terms:
        return 1.0
    return (LENGTH_ALLOWANCE * reference_terms / answer_terms) ** 2


def pairs_source(texts: list[str]) -> str:
    """The text of `zh_pairs.py`: the Chinese character pairs used at least twice in `texts`."""
    counts: dict[str, int] = {}
    for text in texts:
        for run in _CJK_RUN.findall(text):
            for i in range(len(run) - 1):
                counts[run[i : i + 2]] = counts.get(run[i : i + 2], 0) + 1
    kept = "".join(sorted(p for p, n in counts.items() if n >= PAIR_MIN_COUNT))
    lines = [kept[i : i + 100] for i in range(0, len(kept), 100)]
    body = "\n".join(f'    "{line}"' for line in lines)
    return (
        '"""Chinese character pairs the question bank uses at least twice (generated: do not edit).\n\n'
        "Written by `python benchmarks/zh_pairs.py` from the bank's Chinese prompts, answers and key\n"
        'points; `structure.word_salad` reads it to tell Chinese text from shuffled characters.\n"""\n\n'
        f"PAIRS = (\n{body}\n)\n"
    )
