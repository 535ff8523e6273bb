"""The alias rule holds over the whole bank: no key point can be earned by a word most answers contain."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.bank import Bank
from bot.content.generic_aliases import GENERIC_SHARE, RULE, generic_alias_problems
from bot.content.loader import DEFAULT_ROOT, check_path
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
