"""Rewordings a learner would write of a claim, to test that a misconception's patterns still catch it.

A pattern is written against the bank's wording of a claim; a learner asserting the same wrong claim
words it a little differently. These are the small changes that should not matter to a pattern:
another inflection of a word ("merged" / "merging", "adapter" / "adapters"), "is" for "are", two
nouns in each other's place around "and"/"or" ("A 和 B" / "B 和 A"), "是" for "就是" and back. Each
function returns the reworded claim, or None when the claim has nothing it applies to.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.grading.text import STOP_EN

# A plain word: not part of a name such as "torch.cuda", "mp.spawn" or "model's".
_WORD = re.compile(r"(?<![\w.'_-])[A-Za-z]{4,}(?![\w.'_(-])")
_COPULA = re.compile(r"\b(is|are)\b")
# Two words around "and"/"or" that end a phrase: before punctuation, a verb-like stop word or the end
# ("the keys and values are", "training tokens or bytes").
_PAIR_EN = re.compile(
    r"\b([A-Za-z][\w-]*) (and|or) ([A-Za-z][\w-]*)"
    r"(?=[,.;:]|$|\s(?:are|is|were|was|have|has|in|of|to|for|on|with|at|by|from|share|shares|come|comes)\b)",
    re.IGNORECASE,
)
# A Latin word, or two characters standing alone (after a particle, a space or punctuation; before one),
# on each side of 和/与/或: "LoRA 与 QLoRA", "的训练和推理是".
_EDGE_ZH = "的是在对把让用将被从为了也都就，。、：；, "
_SIDE_ZH = r"(?:[A-Za-z][\w-]*|[\u4e00-\u9fff]{2})"
_PAIR_ZH = re.compile(rf"(?:^|(?<=[{_EDGE_ZH}]))({_SIDE_ZH})(\s?)([和与或])(\s?)({_SIDE_ZH})(?=$|[{_EDGE_ZH}])")
# "是" standing as the verb (not inside 总是, 只是, 但是, 是否 …), and "就是".
_SHI = re.compile(r"就是|(?<![总只就于但还即或凡若要可真正倒硬老便而像算都不也])是(?!否)")


def _inflected(word: str) -> str:
    """The same word in another inflection: -ed <-> -ing, -s dropped or added."""
    lower = word.lower()
    if lower.endswith("ed") and len(word) > 5:
        return word[:-2] + "ing"
    if lower.endswith("ing") and len(word) > 6:
        return word[:-3] + "ed"
    if lower.endswith(("ss", "sh", "ch", "x")):
        return word + "es"
    if lower.endswith("s") and not lower.endswith(("us", "is", "as")):
        return word[:-1]
    return word if lower.endswith(("us", "is", "as")) else word + "s"


def _replace(claim: str, found: list[re.Match[str]], pick: int, make: Callable[[re.Match[str]], str]) -> str | None:
    """The claim with the `pick`-th match (wrapping) replaced by `make(match)`; None without a match
    or when nothing changes."""
    if not found:
        return None
    m = found[pick % len(found)]
    changed = make(m)
    return None if changed == m.group(0) else claim[: m.start()] + changed + claim[m.end() :]


def inflect_en(claim: str, pick: int = 0) -> str | None:
    """One content word (the `pick`-th, wrapping) in another inflection."""
    words = [m for m in _WORD.finditer(claim) if m.group(0).lower() not in STOP_EN and m.group(0).islower()]
    return _replace(claim, words, pick, lambda m: _inflected(m.group(0)))


def copula_en(claim: str, pick: int = 0) -> str | None:
    """ "is" for "are" or the reverse (a learner's agreement is not the point)."""
    return _replace(claim, list(_COPULA.finditer(claim)), pick, lambda m: "are" if m.group(1) == "is" else "is")


def swap_en(claim: str, pick: int = 0) -> str | None:
    """ "A and B" as "B and A"."""
    found = [
        m
        for m in _PAIR_EN.finditer(claim)
        if m.group(1).lower() not in STOP_EN | {"and", "or"} and m.group(3).lower() not in STOP_EN
    ]
    return _replace(claim, found, pick, lambda m: f"{m.group(3)} {m.group(2)} {m.group(1)}")


def shi_zh(claim: str, pick: int = 0) -> str | None:
    """ "是" as "就是", "就是" as "是"."""
    return _replace(claim, list(_SHI.finditer(claim)), pick, lambda m: "是" if m.group(0) == "就是" else "就是")


def swap_zh(claim: str, pick: int = 0) -> str | None:
    """ "A 和 B" as "B 和 A"."""
    return _replace(claim, list(_PAIR_ZH.finditer(claim)), pick, lambda m: f"{m[5]}{m[2]}{m[3]}{m[4]}{m[1]}")


Rewording = Callable[[str, int], str | None]
REWORDINGS: dict[str, dict[str, Rewording]] = {
    "en": {"inflection": inflect_en, "is/are": copula_en, "noun order": swap_en},
    "zh": {"是/就是": shi_zh, "noun order": swap_zh},
}
