"""Finding questions that say the same thing under two ids.

Prompts are compared in both languages: English as sets of word tokens, Chinese as sets of
character bigrams (no segmenter needed for a prompt-sized text). Two prompts are
near-duplicates when they are identical in one language after normalisation, or when both
languages agree they are close: short prompts that differ in one decisive term ("LoRA 的思路"
vs "QLoRA 的思路") look close in one language far more often than in both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

from bot.content.schema import Question

# Both languages must be at least this similar; or one language identical after normalising.
THRESHOLD = 0.85

_WORD = re.compile(r"[a-z0-9]+(?:[.+-][a-z0-9]+)*")
_STOP_EN = frozenset(
    "a an the of in on for to and or is are do does can with by its it llm llms model models large language".split()
)
_NOT_CJK_OR_ALNUM = re.compile(r"[^\w\u4e00-\u9fff]+")
# Interrogatives stay: "why use X" and "what is X" are different questions.
_STOP_ZH = frozenset("的 是 大模型 模型 吗 呢 一下 介绍".split())


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def en_signature(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(_norm(text)) if w not in _STOP_EN)


def zh_signature(text: str) -> frozenset[str]:
    s = _NOT_CJK_OR_ALNUM.sub("", _norm(text))
    for w in _STOP_ZH:
        s = s.replace(w, "")
    return frozenset(s[i : i + 2] for i in range(len(s) - 1)) or frozenset({s})


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def near_duplicates(questions: Sequence[Question]) -> Iterator[tuple[Question, Question, str]]:
    """Pairs (earlier, later, language) of questions whose prompts are near-duplicates."""
    sigs = [
        (q, en_signature(q.prompt.en), zh_signature(q.prompt.zh), _norm(q.prompt.en), _norm(q.prompt.zh))
        for q in questions
    ]
    for i, (qa, ea, za, ta_en, ta_zh) in enumerate(sigs):
        for qb, eb, zb, tb_en, tb_zh in sigs[i + 1 :]:
            if ta_en == tb_en:
                yield qa, qb, "en"
            elif ta_zh == tb_zh:
                yield qa, qb, "zh"
            elif jaccard(ea, eb) >= THRESHOLD and jaccard(za, zb) >= THRESHOLD:
                yield qa, qb, "en and zh"


def alias_problems(q: Question) -> Iterator[tuple[int, str, int, str]]:
    """(key point index, language, alias index, message) for aliases the grader could never use:
    too short to be evidence, or unable to match even their own text (the grader compares
    stemmed tokens: see bot.core.grading.text)."""
    from bot.core.grading.text import clean, phrase_pattern, weak_alias

    prompt = " ".join(clean(p) for p in (q.prompt.en, q.prompt.zh))
    for n, kp in enumerate(q.key_points):
        for lang, aliases in (("en", kp.aliases.en), ("zh", kp.aliases.zh)):
            for i, alias in enumerate(aliases):
                if weak_alias(alias):
                    yield (
                        n,
                        lang,
                        i,
                        (
                            f"question {q.id!r}: alias {alias!r} is one character or a small number: it turns up "
                            "by chance, so the grader ignores it; use a specific term"
                        ),
                    )
                elif not phrase_pattern(alias).search(clean(alias)):
                    yield n, lang, i, f"question {q.id!r}: alias {alias!r} can never match an answer"
                elif phrase_pattern(alias).search(prompt):
                    yield (
                        n,
                        lang,
                        i,
                        (
                            f"question {q.id!r}: alias {alias!r} is in the question itself: repeating the question "
                            "earns nothing, so it never counts; use a term only an answer would contain"
                        ),
                    )
