"""Counts over the bank, for `studybot content stats`."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from bot.content.schema import LANGS, Question, Topic


def correct_is_longest(q: Question, lang: str) -> bool:
    """The correct option is strictly longer than every distractor: a give-away for guessers."""
    if q.choice is None:
        return False
    own = len(q.choice.correct.get(lang))
    return all(own > len(d.get(lang)) for d in q.choice.distractors)


# A correct option at least this many times the mean distractor length (and strictly the longest)
# stands out on sight: `content check` warns about it. Why 1.5: the bank's balanced items sit near
# 1.0-1.2, and at 1.5 a reader sees the difference without reading the options.
WIDE_MARGIN = 1.5


def longest_by_wide_margin(q: Question, lang: str) -> float | None:
    """How many times the mean distractor length the correct option is, when that is a give-away."""
    if q.choice is None or not correct_is_longest(q, lang):
        return None
    mean = sum(len(d.get(lang)) for d in q.choice.distractors) / len(q.choice.distractors)
    ratio = len(q.choice.correct.get(lang)) / mean
    return ratio if ratio >= WIDE_MARGIN else None


def longest_share(questions: Sequence[Question]) -> dict[str, float]:
    """Per language, the share of multiple-choice items whose correct option is strictly the longest."""
    with_choice = [q for q in questions if q.choice is not None]
    if not with_choice:
        return {lang: 0.0 for lang in LANGS}
    return {lang: sum(correct_is_longest(q, lang) for q in with_choice) / len(with_choice) for lang in LANGS}


# Absolute words: a test-wise guesser rules out options that contain them, so they should be as
# common in correct options as in distractors.
ABSOLUTE = {
    "en": re.compile(r"\b(always|never|only|all|every|none|completely|entirely)\b", re.IGNORECASE),
    "zh": re.compile(r"总是|只|从不|永远|所有|完全|绝不|一定"),
}


def absolute_shares(questions: Sequence[Question]) -> dict[str, dict[str, float]]:
    """Per language, the share of correct options and of distractors that contain an absolute word."""
    with_choice = [q.choice for q in questions if q.choice is not None]
    out: dict[str, dict[str, float]] = {}
    for lang in LANGS:
        has = ABSOLUTE[lang].search
        distractors = [d.get(lang) for c in with_choice for d in c.distractors]
        out[lang] = {
            "correct": sum(bool(has(c.correct.get(lang))) for c in with_choice) / max(1, len(with_choice)),
            "distractors": sum(bool(has(d)) for d in distractors) / max(1, len(distractors)),
        }
    return out


def bank_stats(questions: Sequence[Question], topics: Sequence[Topic]) -> dict[str, Any]:
    """Counts by topic, difficulty and completeness, as plain data (the --json output)."""

    def completeness(qs: Sequence[Question]) -> dict[str, int]:
        return {
            "questions": len(qs),
            "answered_en": sum(1 for q in qs if q.answer is not None and q.answer.en),
            "answered_zh": sum(1 for q in qs if q.answer is not None and q.answer.zh),
            "key_points": sum(1 for q in qs if q.key_points),
            "multiple_choice": sum(1 for q in qs if q.choice is not None),
            "misconceptions": sum(1 for q in qs if q.misconceptions),
        }

    by_topic: dict[str, list[Question]] = {t.id: [] for t in topics}
    for q in questions:
        by_topic.setdefault(q.topic, []).append(q)
    difficulty = Counter(q.difficulty for q in questions)
    origin = Counter(q.answer_origin or "unanswered" for q in questions)
    return {
        "total": completeness(questions),
        "by_difficulty": {str(d): difficulty.get(d, 0) for d in (1, 2, 3)},
        "by_answer_origin": dict(sorted(origin.items())),
        "by_topic": {tid: completeness(qs) for tid, qs in by_topic.items()},
        "key_points_total": sum(len(q.key_points) for q in questions),
        "misconceptions_total": sum(len(q.misconceptions) for q in questions),
        "with_refs": sum(1 for q in questions if q.refs),
        "choice_correct_longest": longest_share(questions),
        "choice_absolute_words": absolute_shares(questions),
    }


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def format_stats(stats: dict[str, Any]) -> str:
    """A plain-text table for people."""
    cols = ("questions", "answered_en", "answered_zh", "key_points", "multiple_choice", "misconceptions")
    head = f"{'topic':<22}{'questions':>10}{'answer en':>11}{'answer zh':>11}{'key pts':>9}{'choice':>9}{'miscon.':>9}"
    lines = [head, "-" * len(head)]

    def row(name: str, c: dict[str, int]) -> str:
        n = c["questions"]
        return f"{name:<22}{n:>10}" + "".join(
            f"{_pct(c[k], n):>{w}}" for k, w in zip(cols[1:], (11, 11, 9, 9, 9), strict=True)
        )

    for tid, c in stats["by_topic"].items():
        lines.append(row(tid, c))
    lines.append("-" * len(head))
    lines.append(row("all", stats["total"]))
    d = stats["by_difficulty"]
    lines.append("")
    lines.append(f"difficulty: 1 = {d['1']}, 2 = {d['2']}, 3 = {d['3']}")
    origins = ", ".join(f"{k} = {v}" for k, v in stats["by_answer_origin"].items())
    lines.append(f"answers: {origins}")
    lines.append(f"key points in all: {stats['key_points_total']}")
    lines.append(f"misconceptions in all: {stats['misconceptions_total']}; questions citing refs: {stats['with_refs']}")
    longest = stats["choice_correct_longest"]
    shares = ", ".join(f"{lang} {100 * share:.0f}%" for lang, share in longest.items())
    lines.append(f"multiple choice whose correct option is strictly the longest: {shares} (target at most 35%)")
    absolute = stats["choice_absolute_words"]
    words = "; ".join(
        f"{lang} {100 * s['correct']:.0f}% of correct options, {100 * s['distractors']:.0f}% of distractors"
        for lang, s in absolute.items()
    )
    lines.append(f"options with an absolute word (always/only/never…, 总是/只/从不…): {words}")
    return "\n".join(lines)
