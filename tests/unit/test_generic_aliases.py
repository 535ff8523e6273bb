"""The content check refuses give-away aliases: common in other answers, or code read as prose."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.generic_aliases import GENERIC_SHARE, generic_alias_problems
from bot.content.loader import DEFAULT_ROOT, check_path
from bot.content.schema import Question

# Made-up words: each question's answer is about its own subject, and nothing else is shared.
_SYLLABLES = ("ka", "lo", "mi", "ne", "pu", "ri", "sa", "tu", "ve", "zo")
_HAN = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"


def _word(n: int) -> str:
    return "".join(_SYLLABLES[int(d)] for d in f"{n:04d}")


def _han(n: int) -> str:
    return "".join(_HAN[int(d) * 2 + k] for k, d in enumerate(f"{n:03d}"[-2:]))


def _question(n: int, aliases_en: list[str], aliases_zh: list[str], extra_en: str = "", extra_zh: str = "") -> Question:
    own, han = _word(n), _han(n)
    return Question.model_validate(
        {
            "id": f"q-{n}",
            "topic": "peft",
            "difficulty": 1,
            "source": ["seed.txt:1"],
            "prompt": {"en": f"What is {own}?", "zh": f"什么是{han}？"},
            "answer": {"en": f"{own} explains itself. {extra_en}", "zh": f"{han}自成一体。{extra_zh}"},
            "answer_origin": "authored",
            "key_points": [
                {
                    "en": f"point {k}",
                    "zh": f"要点{k}",
                    "aliases": {"en": aliases_en or [own], "zh": aliases_zh or [han]},
                }
                for k in range(3)
            ],
        }
    )


@settings(max_examples=30, deadline=None)
@given(n_questions=st.integers(20, 80), with_word=st.integers(0, 80), lang=st.sampled_from(["en", "zh"]))
def test_an_alias_found_in_too_many_other_answers_is_refused(n_questions: int, with_word: int, lang: str) -> None:
    with_word = min(with_word, n_questions - 1)
    common_en, common_zh = "glimmerstone", "闪石"
    bank = [_question(0, [common_en], [common_zh])]
    bank += [
        _question(n, [], [], common_en if n <= with_word else "", common_zh if n <= with_word else "")
        for n in range(1, n_questions)
    ]
    flagged = {(qid, lng) for qid, _, lng, _, _ in generic_alias_problems(bank)}
    expected = with_word / (n_questions - 1) > GENERIC_SHARE
    assert (("q-0", lang) in flagged) == expected
    assert all(qid == "q-0" for qid, _ in flagged)  # each question's own words are specific to it


def test_code_fragments_read_as_common_words_are_refused() -> None:
    # "model" is in every answer here; "to" is a stop word.
    bank = [_question(n, [], [], extra_en="The model runs.") for n in range(1, 30)]
    fragments = [".to(", "--model", "/model", "()", "-"]
    fine = ["torch.cuda", "low-rank", "encoder/decoder", "cuda:0", "gpu_memory_utilization"]
    bank.append(_question(0, fragments + fine, ["冻结"]))
    messages = [m for qid, _, lang, _, m in generic_alias_problems(bank) if qid == "q-0" and lang == "en"]
    for alias in fragments:
        assert any(f"alias {alias!r}" in m for m in messages), (alias, messages)
    for alias in fine:
        assert not any(f"alias {alias!r}" in m for m in messages), (alias, messages)


def test_the_checker_names_file_line_question_and_alias(tmp_path: Path) -> None:
    """A deck checked alone is judged against the whole bank at root."""
    deck = {
        "questions": [
            {
                "id": "sample-generic",
                "topic": "peft",
                "difficulty": 1,
                "source": ["seed.txt:1"],
                "prompt": {"en": "Why freeze the base model in LoRA?", "zh": "LoRA 为什么冻结基座模型？"},
                "answer": {"en": "Freezing saves optimizer state.", "zh": "冻结可节省优化器状态。"},
                "answer_origin": "authored",
                "key_points": [
                    {"en": "a", "zh": "甲", "aliases": {"en": ["glimmerstone lattice"], "zh": ["闪石晶格"]}},
                    {"en": "b", "zh": "乙", "aliases": {"en": ["memory"], "zh": ["闪石晶格"]}},
                    {"en": "c", "zh": "丙", "aliases": {"en": ["glimmerstone lattice"], "zh": ["闪石晶格"]}},
                ],
            }
        ]
    }
    path = tmp_path / "deck.yaml"
    path.write_text(yaml.safe_dump(deck, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _, problems = check_path(path, DEFAULT_ROOT)
    generic = [p for p in problems if p.rule == "generic-alias"]
    assert len(generic) == 1, generic
    line = path.read_text("utf-8").splitlines()[generic[0].line - 1]
    assert "memory" in line
    assert "question 'sample-generic': alias 'memory' is in" in generic[0].message
