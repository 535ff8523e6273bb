"""Misconception patterns catch their own claims and spare correct texts: over the whole bank, on
generated decks (the checker names file and line), and under the rewordings a learner would write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content.bank import Bank
from bot.content.loader import DEFAULT_ROOT, check_path
from bot.content.misconceptions import CLAIM_RULE, RULE, claim_caught, claim_coverage, misconception_problems
from bot.content.rewordings import REWORDINGS
from bot.content.schema import LANGS, Misconception, pattern_terms
from bot.core.grading.assertions import read
from bot.core.grading.credit import claim_clause
from bot.core.grading.text import clean

# Of the claims caught, the share still caught after a learner's rewording (benchmarks/misconceptions.py
# prints the figures per kind; these floors sit a few points under them).
REWORDING_FLOOR = {"en": 0.9, "zh": 0.8}


def test_every_claim_of_the_bank_is_caught_by_its_own_patterns(bank: Bank) -> None:
    coverage = claim_coverage(bank.questions)
    missed = [
        (q.id, n, lang, m.claim.get(lang))
        for q in bank.questions
        for n, m in enumerate(q.misconceptions)
        for lang in LANGS
        if not claim_caught(m, lang)
    ]
    assert missed == [], coverage


def test_no_pattern_of_the_bank_fires_on_its_own_model_answer_or_correct_option(bank: Bank) -> None:
    found = [message for q in bank.questions for _, message, rule in misconception_problems(q) if rule == RULE]
    assert found == []


def _patterns(mis: Misconception) -> list[tuple[str, ...]]:
    return [pattern_terms(p) for lang in LANGS for p in mis.patterns.get(lang)]


@pytest.mark.parametrize("lang", LANGS)
def test_a_learners_rewording_of_a_claim_is_still_caught(bank: Bank, lang: str) -> None:
    held = tried = 0
    for q in bank.questions:
        for mis in q.misconceptions:
            for reword in REWORDINGS[lang].values():
                text = reword(mis.claim.get(lang), 0)
                if text is not None:
                    tried += 1
                    held += claim_clause(read(clean(text)), _patterns(mis)) is not None
    assert tried > 100
    assert held / tried >= REWORDING_FLOOR[lang], (held, tried)


def _deck(claim: dict[str, str], patterns: dict[str, list[str]]) -> dict[str, Any]:
    points = [
        {"en": f"point {k}", "zh": f"要点{k}", "aliases": {"en": [f"glimmerstone {k}"], "zh": [f"闪石晶格{k}"]}}
        for k in range(3)
    ]
    return {
        "questions": [
            {
                "id": "sample-generated-misconception",
                "topic": "peft",
                "difficulty": 1,
                "source": ["seed.txt:1"],
                "prompt": {"en": "What is a glimmerstone?", "zh": "什么是闪石？"},
                "answer": {
                    "en": "A glimmerstone is a lattice grown in cold caves.",
                    "zh": "闪石是在冷洞里长成的晶格。",
                },
                "answer_origin": "authored",
                "key_points": points,
                "choice": {
                    "correct": {"en": "A lattice that grows slowly in caves", "zh": "一种在洞穴里缓慢生长的晶格"},
                    "distractors": [
                        {"en": "A fish that glows", "zh": "一种发光的鱼"},
                        {"en": "An old folk song", "zh": "一首古老的民谣"},
                        {"en": "A distant star", "zh": "一颗遥远的恒星"},
                    ],
                },
                "misconceptions": [
                    {
                        "claim": claim,
                        "correction": {"en": "It is a lattice of quartz grains.", "zh": "它是石英颗粒组成的晶格。"},
                        "patterns": patterns,
                    }
                ],
            }
        ]
    }


_NOUNS_EN = ["quartz", "marble", "granite", "basalt", "obsidian", "feldspar", "mica", "pumice"]
_NOUNS_ZH = ["石英", "大理石", "花岗岩", "玄武岩", "黑曜石", "长石", "云母", "浮石"]


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    en=st.lists(st.sampled_from(_NOUNS_EN), min_size=2, max_size=2, unique=True),
    zh=st.lists(st.sampled_from(_NOUNS_ZH), min_size=2, max_size=2, unique=True),
    caught=st.sampled_from(LANGS),
)
def test_a_claim_its_patterns_miss_is_reported_at_the_claims_line(
    tmp_path: Path, en: list[str], zh: list[str], caught: str
) -> None:
    claim = {"en": f"A glimmerstone is made of {en[0]} and {en[1]}", "zh": f"闪石由{zh[0]}和{zh[1]}组成"}
    # One language's pattern names the claim's own words, the other's a word the claim never uses.
    patterns = {"en": [f"glimmerstone + {en[0]}"], "zh": [f"闪石 + {zh[0]}"]}
    missed = "zh" if caught == "en" else "en"
    patterns[missed] = ["glimmerstone + sandstone"] if missed == "en" else ["闪石 + 砂岩"]
    path = tmp_path / "generated.yaml"
    path.write_text(yaml.safe_dump(_deck(claim, patterns), allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, problems = check_path(path, DEFAULT_ROOT)
    reported = [p for p in problems if p.rule == CLAIM_RULE]
    assert len(reported) == 1, [str(p) for p in problems]
    assert f"the {missed} claim" in reported[0].message
    assert claim[missed] in path.read_text("utf-8").splitlines()[reported[0].line - 1]


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    where=st.sampled_from(["answer", "correct option", "correction"]), lang=st.sampled_from(LANGS), other=st.booleans()
)
def test_a_pattern_found_in_a_correct_text_or_its_correction_is_reported_whichever_language(
    tmp_path: Path, where: str, lang: str, other: bool
) -> None:
    deck = _deck(
        {"en": "A glimmerstone is a fish", "zh": "闪石是一种鱼类"},
        {"en": ["glimmerstone + fish"], "zh": ["闪石 + 鱼类"]},
    )
    q = deck["questions"][0]
    # A term found in the chosen correct text, written in a pattern of this or the other language.
    found = {
        "answer": ("cold caves", "冷洞"),
        "correct option": ("grows slowly", "缓慢生长"),
        "correction": ("quartz grains", "石英颗粒"),
    }[where]
    term = found[0] if lang == "en" else found[1]
    pattern_lang = lang if not other else ("zh" if lang == "en" else "en")
    q["misconceptions"][0]["patterns"][pattern_lang].append(f"{'lattice' if lang == 'en' else '晶格'} + {term}")
    path = tmp_path / "fires.yaml"
    path.write_text(yaml.safe_dump(deck, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, problems = check_path(path, DEFAULT_ROOT)
    fired = [p for p in problems if p.rule == RULE]
    assert len(fired) == 1, [str(p) for p in problems]
    assert term in fired[0].message
    assert term in path.read_text("utf-8").splitlines()[fired[0].line - 1]
