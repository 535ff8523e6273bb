"""Yes/no polarity: does an answer open with the opposite of what the reference opens with?

A yes/no question ("LoRA 权重是否可以合入原模型？", "Is X always faster?") is answered first by a yes
or a no; an answer that opens with the wrong one is wrong however much of the right vocabulary
follows ("不可以，LoRA 权重只能外挂" against "可以。BA 与 W0 形状相同…"). Only a short opening
clause counts as a yes or a no ("不需要。", "是的，", "No, not necessarily"): a longer first clause
("不可以直接合并到 4 位基座，要先反量化") is an explanation, not a verdict, and is left alone.
"""

from __future__ import annotations

import re

# Longest first: "不可以" must win over "可以", "没有必要" over "没有".
_NEG_ZH = (
    "不一定",
    "不可以",
    "不需要",
    "不必要",
    "没必要",
    "没有必要",
    "不适合",
    "不应该",
    "不正确",
    "不对",
    "不是",
    "不能",
    "不会",
    "不行",
    "不用",
    "未必",
    "没有",
    "错误",
    "错",
    "否",
)
_POS_ZH = (
    "是的",
    "可以",
    "需要",
    "有必要",
    "适合",
    "应该",
    "正确",
    "一定",
    "当然",
    "必须",
    "对",
    "是",
    "能",
    "会",
    "有",
    "行",
)
_HEDGE_ZH = re.compile(r"^(?:通常|一般|一般来说|理论上|基本上|大多|往往|其实|答案是|我认为|我觉得|非常|确实|肯定)+")
_NEG_EN = re.compile(r"^(?:no|nope|not (?:necessarily|always|really|quite)|never|it is not|it isn't|cannot|can't)\b")
_POS_EN = re.compile(r"^(?:yes|yeah|yep|sure|definitely|certainly|always|it is|it can|of course)\b")
_FIRST_CLAUSE = re.compile(r"[^,，.。;；:：!！?？\n]*")
# A first clause longer than this (characters, Chinese; words, English) is an explanation, not a yes or no.
_MAX_ZH = 6
_MAX_EN_WORDS = 4


def polarity(cleaned: str) -> int:
    """+1 when the (cleaned) text opens with a yes, -1 with a no, 0 when it opens with neither."""
    clause = (_FIRST_CLAUSE.match(cleaned.strip()) or _FIRST_CLAUSE.match("")).group(0).strip()  # type: ignore[union-attr]
    if not clause:
        return 0
    if clause[0].isascii():
        if len(clause.split()) > _MAX_EN_WORDS:
            return 0
        if _NEG_EN.match(clause):
            return -1
        return 1 if _POS_EN.match(clause) else 0
    clause = _HEDGE_ZH.sub("", clause.replace(" ", ""))
    if not clause or len(clause) > _MAX_ZH:
        return 0
    if clause.startswith(_NEG_ZH):
        return -1
    return 1 if clause.startswith(_POS_ZH) else 0


def polarity_mismatch(answer: str, reference: str) -> bool:
    """The reference answers a yes/no question and the answer opens with the opposite."""
    ref = polarity(reference)
    return ref != 0 and polarity(answer) == -ref
