"""What counts as an attempt at a free-text question.

An accidental or throwaway message ("ok", "y", an emoji, "?") is not an answer: it gets a
request for the full answer and the question stays open (nothing graded, stored or revealed).
The core decides this, so every platform behaves alike.
"""

from __future__ import annotations

import unicodedata

# Fewer meaningful characters than this is not an answer ("ok", "yes", "idk"); a one-word answer
# ("bananas", "dropout") is, and is graded. A Chinese character carries about a word's meaning, so
# it counts for three ("不知道" is an answer; "好" is not).
MIN_MEANINGFUL = 6
CJK_WEIGHT = 3
# Acknowledgements long enough to pass the count, but never an answer to an interview question.
THROWAWAY = frozenset(
    {"okay", "thanks", "thank you", "got it", "sure", "cool", "great", "nice", "hello", "好的", "谢谢", "收到", "明白"}
)


# No throwaway phrase weighs more than this: a text that does is an attempt, whatever else it holds.
_THROWAWAY_WEIGHT = CJK_WEIGHT * max(len(phrase) for phrase in THROWAWAY)


def meaningful_chars(text: str, enough: int | None = None) -> int:
    """Letters and digits, a CJK character counting CJK_WEIGHT; counting stops at `enough`."""
    total = 0
    for ch in text:
        if unicodedata.category(ch)[0] not in "LN":
            continue  # punctuation, symbols, emoji, spaces
        total += CJK_WEIGHT if "CJK" in unicodedata.name(ch, "") else 1
        if enough is not None and total >= enough:
            break  # a long answer need not be read to its end to know it is one
    return total


def too_short(text: str) -> bool:
    weight = meaningful_chars(text, enough=_THROWAWAY_WEIGHT + 1)
    if weight < MIN_MEANINGFUL:
        return True
    if weight > _THROWAWAY_WEIGHT:
        return False
    words = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text.casefold()).split()
    return " ".join(words) in THROWAWAY
