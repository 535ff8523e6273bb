"""Rules over the whole bank: no key point earned by a word most answers contain (an error), no
multiple-choice item whose correct option stands out by length (a warning)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.bank import Bank
from bot.content.generic_aliases import GENERIC_SHARE, RULE, generic_alias_problems
from bot.content.loader import CHOICE_LENGTH_RULE, DEFAULT_ROOT, check_path
from bot.content.schema import LANGS, Question
from bot.content.stats import ABSOLUTE, WIDE_MARGIN, absolute_shares, bank_stats, format_stats, longest_by_wide_margin
from bot.core.grading.text import STOP_EN, clean, raw_tokens


def test_the_real_bank_has_no_give_away_alias(bank: Bank) -> None:
    assert [message for *_, message in generic_alias_problems(bank.questions)] == []


def _common_words(bank: Bank, lang: str) -> list[str]:
    """Words (en) or two-character terms (zh) found in well over the allowed share of model answers."""
    answers = [clean(q.answer.get(lang)) for q in bank.answered() if q.answer is not None]
    seen: Counter[str] = Counter()
    for text in answers:
        if lang == "en":
            seen.update({t for t in raw_tokens(text) if t.isalpha() and len(t) > 3 and t not in STOP_EN})
        else:
            seen.update(
                {
                    text[i : i + 2]
                    for i in range(len(text) - 1)
                    if all("\u4e00" <= c <= "\u9fff" for c in text[i : i + 2])
                }
            )
    floor = 3 * GENERIC_SHARE * len(answers)
    return sorted(w for w, n in seen.items() if n >= floor)


@pytest.fixture(scope="module")
def common(bank: Bank) -> dict[str, list[str]]:
    words = {lang: _common_words(bank, lang) for lang in ("en", "zh")}
    assert all(len(w) >= 10 for w in words.values()), words  # the bank has plenty to draw from
    return words


def _deck(alias_en: str, alias_zh: str) -> str:
    points = [
        {"en": f"point {k}", "zh": f"要点{k}", "aliases": {"en": [f"glimmerstone {k}"], "zh": [f"闪石晶格{k}"]}}
        for k in range(3)
    ]
    points[1]["aliases"] = {"en": ["glimmerstone 1", alias_en], "zh": ["闪石晶格1", alias_zh]}
    deck = {
        "questions": [
            {
                "id": "sample-generated-alias",
                "topic": "peft",
                "difficulty": 1,
                "source": ["seed.txt:1"],
                "prompt": {"en": "What is a glimmerstone?", "zh": "什么是闪石？"},
                "answer": {"en": "A glimmerstone lattice.", "zh": "闪石晶格。"},
                "answer_origin": "authored",
                "key_points": points,
            }
        ]
    }
    return yaml.safe_dump(deck, allow_unicode=True, sort_keys=False)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_generated_alias_common_in_the_bank_is_refused_with_file_and_line(
    tmp_path: Path, common: dict[str, list[str]], data: st.DataObject
) -> None:
    alias_en = data.draw(st.sampled_from(common["en"]), label="en")
    alias_zh = data.draw(st.sampled_from(common["zh"]), label="zh")
    path = tmp_path / "generated.yaml"
    path.write_text(_deck(alias_en, alias_zh), encoding="utf-8")
    _, problems = check_path(path, DEFAULT_ROOT)
    refused = {p.message.split("alias ")[1].split(" is ")[0].strip("'"): p for p in problems if p.rule == RULE}
    assert set(refused) == {alias_en, alias_zh}, [str(p) for p in problems]
    lines = path.read_text("utf-8").splitlines()
    for alias, problem in refused.items():
        assert Path(problem.path).name == "generated.yaml"
        assert alias in lines[problem.line - 1]


def _with_choice(correct: dict[str, str], distractors: list[dict[str, str]]) -> Question:
    raw = yaml.safe_load(_deck("glimmerstone 1", "闪石晶格1"))["questions"][0]
    raw["choice"] = {"correct": correct, "distractors": distractors}
    return Question.model_validate(raw)


@settings(max_examples=200, deadline=None)
@given(
    correct=st.integers(1, 100),
    # At most 99: a distractor as long as the correct option gets one more character, and options stop at 100.
    others=st.lists(st.integers(1, 99), min_size=3, max_size=3, unique=True),
    lang=st.sampled_from(["en", "zh"]),
)
def test_a_wide_margin_is_strictly_longest_and_far_above_the_mean(correct: int, others: list[int], lang: str) -> None:
    char = "x" if lang == "en" else "字"
    texts = [{"en": "e" * n, "zh": "中" * n} for n in others]
    for t, n in zip(texts, others, strict=True):
        t[lang] = char * n + ("" if n != correct else "y")
    q = _with_choice({"en": "c" * correct, "zh": "对" * correct, lang: char * correct}, texts)
    ratio = longest_by_wide_margin(q, lang)
    lengths = [len(t[lang]) for t in texts]
    expected = correct > max(lengths) and correct >= WIDE_MARGIN * sum(lengths) / 3
    assert (ratio is not None) == expected, (correct, lengths, ratio)


def test_content_check_warns_about_a_give_away_option_with_file_and_line(tmp_path: Path) -> None:
    raw = yaml.safe_load(_deck("glimmerstone 1", "闪石晶格1"))
    raw["questions"][0]["choice"] = {
        "correct": {"en": "A lattice of glimmerstone crystals grown slowly in cold caves", "zh": "闪石"},
        "distractors": [
            {"en": "A fish", "zh": "一种在深海里发光的鱼类"},
            {"en": "A song", "zh": "一首古老的民谣"},
            {"en": "A star", "zh": "一颗遥远的恒星"},
        ],
    }
    path = tmp_path / "options.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, problems = check_path(path, DEFAULT_ROOT)
    warned = [p for p in problems if p.rule == CHOICE_LENGTH_RULE]
    assert len(warned) == 1 and warned[0].warning, [str(p) for p in problems]
    assert "the correct en option is the longest" in str(warned[0]) and "warning:" in str(warned[0])
    assert "glimmerstone crystals" in path.read_text("utf-8").splitlines()[warned[0].line - 1]
    assert not [p for p in problems if not p.warning and p.rule != RULE]  # only a warning: the deck passes


def test_the_real_bank_has_no_give_away_option_and_stats_show_each_language(bank: Bank) -> None:
    assert [(q.id, lang) for q in bank.questions for lang in LANGS if longest_by_wide_margin(q, lang)] == []
    stats = bank_stats(bank.questions, bank.topics)
    assert set(stats["choice_correct_longest"]) == set(LANGS)
    text = format_stats(stats)
    assert all(f"{lang} " in text.split("strictly the longest:")[1] for lang in LANGS)


# Absolute words are still commoner in distractors than in correct options (2026-12-02: en 17 % vs
# 37 %, zh 10 % vs 32 %); the gap may shrink, not grow.
MAX_ABSOLUTE_GAP = 0.25


def test_absolute_words_are_counted_per_language_and_the_gap_does_not_grow(bank: Bank) -> None:
    assert ABSOLUTE["en"].search("It always works") and ABSOLUTE["zh"].search("它总是有效")
    assert not ABSOLUTE["en"].search("It usually works, overall") and not ABSOLUTE["zh"].search("它通常有效")
    shares = absolute_shares(bank.questions)
    for lang in LANGS:
        gap = shares[lang]["distractors"] - shares[lang]["correct"]
        assert gap <= MAX_ABSOLUTE_GAP, f"{lang}: absolute words {shares[lang]}"
    assert "options with an absolute word" in format_stats(bank_stats(bank.questions, bank.topics))
