"""Paraphrases of a model answer that a strict interviewer would still accept.

A paraphrase says the same thing in other words: the general words are changed (verbs, adjectives,
connectives: "reduces" -> "cuts", "每个" -> "每一个"), so an alias phrase made of such words ("share one
key head", "middle ground", "效果接近") is no longer there word for word, and the sentences may come in
another order. Technical terms, names, numbers and code stay as they are: an answer that says "this"
where the model answer says "INT8" or "GQA" states nothing an interviewer could check.

A case is kept only when the rewording takes every alias away from at least one key point (those points
are credited only if the grader sees them stated in other words) and leaves the answer readable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from bot.content.schema import Question
from bot.core.grading.text import clean, phrase_pattern

# Two tables, one per template: the same kind of words, different choices.
EN_A = {
    "uses": "relies on",
    "use": "employ",
    "used": "employed",
    "using": "employing",
    "reduces": "cuts",
    "reduce": "cut",
    "reduced": "cut",
    "large": "big",
    "larger": "bigger",
    "because": "since",
    "therefore": "so",
    "however": "but",
    "improves": "boosts",
    "improve": "boost",
    "allows": "lets",
    "requires": "needs",
    "require": "need",
    "needs": "requires",
    "important": "key",
    "often": "frequently",
    "helps": "aids",
    "method": "approach",
    "methods": "approaches",
    "every": "each",
    "each": "every",
    "same": "identical",
    "whole": "entire",
    "entire": "whole",
    "full": "complete",
    "fast": "quick",
    "faster": "quicker",
    "stores": "keeps",
    "store": "keep",
    "shows": "demonstrates",
    "gives": "yields",
    "split": "divided",
    "splits": "divides",
    "combines": "merges",
    "computes": "calculates",
    "many": "numerous",
    "several": "multiple",
    "usually": "typically",
    "typically": "usually",
    "mainly": "chiefly",
    "main": "primary",
    "problem": "issue",
    "problems": "issues",
    "different": "distinct",
    "build": "construct",
    "builds": "constructs",
    "chooses": "picks",
    "choose": "pick",
    "small": "little",
    "close": "near",
    "shrinks": "gets smaller",
    "shrink": "get smaller",
    "instead of": "rather than",
    "middle ground": "halfway point",
    "keeps": "retains",
    "cheap": "inexpensive",
    "expensive": "costly",
    "hard": "difficult",
    "difficult": "hard",
}
EN_B = {
    "uses": "makes use of",
    "use": "make use of",
    "used": "applied",
    "reduces": "lowers",
    "reduce": "lower",
    "large": "sizeable",
    "because": "as",
    "so": "hence",
    "but": "yet",
    "improves": "raises",
    "allows": "enables",
    "requires": "demands",
    "many": "lots of",
    "each": "every",
    "fast": "speedy",
    "small": "modest",
    "same": "very same",
    "only": "just",
    "whole": "complete",
    "full": "entire",
    "stores": "holds",
    "store": "hold",
    "keeps": "holds on to",
    "often": "commonly",
    "usually": "normally",
    "main": "principal",
    "important": "significant",
    "problem": "difficulty",
    "different": "dissimilar",
    "method": "technique",
    "methods": "techniques",
    "close": "similar",
    "shrinks": "becomes smaller",
    "shrink": "become smaller",
    "gives": "provides",
    "several": "a number of",
    "typically": "as a rule",
    "expensive": "pricey",
    "cheap": "low-cost",
    "instead of": "in place of",
    "split": "broken up",
    "splits": "breaks up",
    "chooses": "selects",
}
ZH_A = {
    "使用": "采用",
    "通过": "借助",
    "因此": "所以",
    "可以": "能够",
    "需要": "要",
    "提高": "提升",
    "非常": "很",
    "但是": "不过",
    "每个": "每一个",
    "每组": "每一组",
    "例如": "比如",
    "比如": "例如",
    "通常": "一般",
    "很多": "许多",
    "许多": "很多",
    "得到": "获得",
    "保存": "存储",
    "存储": "保存",
    "接近": "逼近",
    "共享": "共用",
    "分成": "划分为",
    "显著": "明显",
    "所有": "全部",
    "只": "仅",
    "缩小": "变小",
    "折中": "折衷方案",
    "选择": "挑选",
    "如果": "假如",
}
ZH_B = {
    "使用": "运用",
    "通过": "凭借",
    "因此": "因而",
    "可以": "可",
    "需要": "须要",
    "提高": "拉高",
    "但": "然而",
    "每个": "每一个",
    "方法": "办法",
    "例如": "譬如",
    "通常": "往往",
    "很多": "大量",
    "得到": "取得",
    "接近": "近似",
    "共享": "共同使用",
    "分成": "拆成",
    "所有": "一切",
    "只": "仅仅",
    "缩小": "减小",
    "显著": "大幅",
    "如果": "若",
    "保存": "留存",
}


def reword(text: str, table: Mapping[str, str], lang: str) -> str:
    """`text` with every word of `table` put in its other words, in one pass (a swap stays a swap)."""
    if lang == "zh":
        pattern = re.compile("|".join(sorted(map(re.escape, table), key=len, reverse=True)))
        return pattern.sub(lambda m: table[m.group(0)], text)
    words = re.compile(
        r"(?<![\w`/.-])(" + "|".join(sorted(map(re.escape, table), key=len, reverse=True)) + r")(?![\w`(/-])",
        re.IGNORECASE,
    )

    def repl(m: re.Match[str]) -> str:
        other = table[m.group(0).lower()]
        return other[:1].upper() + other[1:] if m.group(0)[:1].isupper() else other

    return words.sub(repl, text)


# A sentence ends at . ! ? before a capital, a quote or a bracket (not in "e.g. the", "Qwen2.5", "llm.generate"),
# at 。！？ or at a line end (which it keeps: code lines stay apart).
_EN_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bal\.)(?<!\bvs\.)(?<=[.!?])\s+(?=[A-Z\"“(`])|(?<=\n)")
_ZH_END = re.compile(r"(?<=[。！？\n])")


def sentences_of(text: str, lang: str) -> list[str]:
    """The sentences of a model answer, each with what ends it."""
    return [s for s in (_ZH_END if lang == "zh" else _EN_END).split(text) if s.strip()]


def _lines_kept_together(parts: Sequence[str]) -> list[str]:
    """Sentences to reorder, each line-ended run (code, a command, a list) kept whole and in its order: a
    paraphrase may say things in another order, but code run backwards is no answer."""
    out: list[str] = []
    for part in parts:
        if out and out[-1].endswith("\n"):
            out[-1] += part
        else:
            out.append(part)
    return out


def _joined(parts: Sequence[str], lang: str) -> str:
    if lang == "zh":
        return "".join(p if p.endswith(("。", "！", "？", "\n")) else p + "\n" for p in parts).strip()
    out = ""
    for p in parts:  # lines keep their line breaks and indentation (code); sentences are joined by a space
        out += p if not out or out.endswith("\n") else " " + p.lstrip()
    return out.strip()


def reworded_points(q: Question, original: str, changed: str) -> list[int]:
    """The key points that have an alias in `original` and none left in `changed`."""
    before, after = clean(original), clean(changed)
    out = []
    for k, kp in enumerate(q.key_points):
        matchers = [phrase_pattern(a) for a in (*kp.aliases.en, *kp.aliases.zh)]
        if any(m.search(before) for m in matchers) and not any(m.search(after) for m in matchers):
            out.append(k)
    return out


def paraphrase(q: Question, lang: str, table: Mapping[str, str], reverse: bool = False, lead: str = "") -> str | None:
    """The model answer reworded (its sentences reversed with `reverse`); None when no word of it changed."""
    assert q.answer is not None
    reference = q.answer.get(lang)
    parts = sentences_of(reference, lang)
    if reverse:
        parts = _lines_kept_together(parts)[::-1]
    original = _joined(parts, lang)
    text = reword(original, table, lang)
    return lead + text if text != original else None


def restated_points(q: Question, lang: str, table: Mapping[str, str], lead: str = "") -> str | None:
    """The key points' statements, one sentence each, reworded: no model-answer sentence repeats a point
    said another way, so each point is credited from its own rewording or not at all."""
    end = "。" if lang == "zh" else "."
    original = _joined([kp.text(lang).rstrip("。.") + end for kp in q.key_points], lang)
    text = reword(original, table, lang)
    return lead + text if text != original else None
