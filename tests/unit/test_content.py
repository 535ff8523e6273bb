"""The bank validates; each kind of malformed deck is reported with its file and line."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.content.bank import Bank
from bot.content.loader import DEFAULT_ROOT, ContentError, check_path, load_bank
from bot.content.schema import Deck

GOOD = """\
questions:
  - id: sample-one
    topic: peft
    difficulty: 2
    source: [seed.txt:1]
    prompt:
      en: What is LoRA?
      zh: 什么是 LoRA？
    answer:
      en: LoRA trains low-rank matrices beside frozen weights.
      zh: LoRA 在冻结权重旁训练低秩矩阵。
    answer_origin: authored
    key_points:
      - en: low-rank update
        zh: 低秩增量
        aliases: {en: [low-rank], zh: [低秩]}
      - en: frozen base weights
        zh: 冻结基座权重
        aliases: {en: [frozen base], zh: [冻结基座]}
      - en: few trainable parameters
        zh: 可训练参数少
        aliases: {en: [few parameters], zh: [参数少]}
"""


def problems_for(tmp_path: Path, text: str, name: str = "deck.yaml") -> list[str]:
    deck = tmp_path / name
    deck.write_text(text, encoding="utf-8")
    _, problems = check_path(deck, DEFAULT_ROOT)
    return [f"{Path(p.path).name}:{p.line}: {p.message}" for p in problems]


def test_the_real_bank_is_clean(bank: Bank) -> None:
    questions, problems = check_path(DEFAULT_ROOT)
    assert [str(p) for p in problems] == []
    assert len(questions) == len(bank.questions) >= 500
    assert all(q.prompt.en and q.prompt.zh for q in bank.questions)
    assert all(q.key_points for q in bank.answered())


def test_every_seed_file_is_represented(bank: Bank) -> None:
    seeds = {s.split(":")[0][:3] for q in bank.questions for s in q.source}
    assert seeds == {"000", "001", "002", "003", "004"}


def test_a_good_deck_passes(tmp_path: Path) -> None:
    assert problems_for(tmp_path, GOOD) == []


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (
            lambda t: t.replace("prompt:\n      en: What is LoRA?\n", "prompt:\n"),
            "deck.yaml:6: question 'sample-one': prompt.en: missing",
        ),
        (lambda t: t.replace("difficulty: 2", "difficulty: 5"), "deck.yaml:4: question 'sample-one': difficulty"),
        (lambda t: t.replace("zh: [冻结基座]", "zh: []"), "deck.yaml:19: question 'sample-one': key_points.aliases.zh"),
        (
            lambda t: t.replace("    answer_origin: authored\n", "    anwser_origin: authored\n"),
            "deck.yaml:12: question 'sample-one': anwser_origin: unknown field",
        ),
        (lambda t: t.replace("topic: peft", "topic: astrology"), "deck.yaml:2: question 'sample-one': unknown topic"),
        (
            lambda t: t.replace("      en: What is LoRA?\n", "      en: What is LoRA?\n      en: again\n"),
            "deck.yaml:8: key 'en' appears twice",
        ),
        (lambda t: t + "  - {id: [unclosed\n", "deck.yaml:23: bad YAML"),
        (lambda t: t.replace("en: low-rank update", "en: low-rank # update"), "deck.yaml:14: text after ' #'"),
    ],
)
def test_malformed_decks_name_file_and_line(tmp_path: Path, mutation: Callable[[str], str], expected: str) -> None:
    found = problems_for(tmp_path, mutation(GOOD))
    assert any(p.startswith(expected) for p in found), found


def test_duplicate_ids_and_near_duplicates_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    renamed = GOOD.replace("sample-one", "sample-two").replace("What is LoRA?", "What's LoRA?")
    (tmp_path / "c.yaml").write_text(renamed, encoding="utf-8")
    _, problems = check_path(tmp_path, DEFAULT_ROOT)
    messages = [f"{Path(p.path).name}:{p.line}: {p.message}" for p in problems]
    assert any(m.startswith("b.yaml:2: duplicate id 'sample-one' (first at") for m in messages), messages
    assert any("c.yaml:2: question 'sample-two' repeats 'sample-one'" in m for m in messages), messages


def test_retired_ids_and_non_utf8(tmp_path: Path) -> None:
    root = tmp_path / "bank"
    (root / "questions").mkdir(parents=True)
    (root / "topics.yaml").write_text((DEFAULT_ROOT / "topics.yaml").read_text("utf-8"), "utf-8")
    (root / "retired_ids.txt").write_text("# gone\nsample-one\n", "utf-8")
    (root / "questions" / "a.yaml").write_text(GOOD, "utf-8")
    (root / "questions" / "z.yaml").write_bytes(b"questions:\n  - id: caf\xe9\n")
    _, problems = check_path(root, root)
    messages = [p.message for p in problems]
    assert any("id is retired" in m for m in messages)
    assert any("not UTF-8" in m for m in messages)


def test_load_bank_refuses_a_broken_bank(tmp_path: Path) -> None:
    root = tmp_path / "bank"
    (root / "questions").mkdir(parents=True)
    (root / "topics.yaml").write_text((DEFAULT_ROOT / "topics.yaml").read_text("utf-8"), "utf-8")
    (root / "questions" / "a.yaml").write_text(GOOD.replace("difficulty: 2", "difficulty: hard"), "utf-8")
    with pytest.raises(ContentError) as info:
        load_bank(root)
    assert "a.yaml:4" in str(info.value)


def test_loader_round_trips(bank: Bank, tmp_path: Path) -> None:
    dumped = {"questions": [q.model_dump(exclude_none=True, exclude_defaults=True) for q in bank.questions]}
    path = tmp_path / "all.yaml"
    path.write_text(yaml.safe_dump(dumped, allow_unicode=True, sort_keys=False), encoding="utf-8")
    again = Deck.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert again.questions == bank.questions


def test_questions_are_immutable(bank: Bank) -> None:
    q = bank.questions[0]
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError on frozen models
        q.id = "other"  # type: ignore[misc]
    assert time.perf_counter() >= 0


def test_every_question_is_complete(bank: Bank) -> None:
    """Issue 3: every question has a reference answer in both languages, key points and choice material."""
    incomplete = [
        q.id
        for q in bank.questions
        if q.answer is None or not q.answer.en or not q.answer.zh or not q.key_points or q.choice is None
    ]
    assert incomplete == []
    for q in bank.questions:
        for kp in q.key_points:
            assert all(isinstance(a, str) and a.strip() for a in (*kp.aliases.en, *kp.aliases.zh)), q.id


def test_retired_ids_name_their_successors(tmp_path: Path, bank: Bank) -> None:
    assert bank.successor("vllm-characteristics") == "vllm-advantages"
    assert bank.successor("vllm-advantages") is None
    assert all(kept in bank.by_id for kept in bank.successors.values())
    root = tmp_path / "bank"
    (root / "questions").mkdir(parents=True)
    (root / "topics.yaml").write_text((DEFAULT_ROOT / "topics.yaml").read_text("utf-8"), "utf-8")
    retired = "# merged\nfirst-old -> second-old\nsecond-old -> sample-one\ngone\nlost -> nowhere\nbad -> \n"
    (root / "retired_ids.txt").write_text(retired, "utf-8")
    (root / "questions" / "a.yaml").write_text(GOOD, "utf-8")
    _, problems = check_path(root, root)
    assert [(p.line, p.message) for p in problems if p.path.endswith("retired_ids.txt")] == [
        (5, "retired id 'lost' -> 'nowhere': 'nowhere' is not a question of the bank"),
        (6, "expected `old` or `old -> kept`, not 'bad ->'"),
    ]
    loaded = load_bank(root)
    assert loaded.successor("first-old") == loaded.successor("second-old") == "sample-one"  # chains resolve
    assert loaded.successor("gone") is None
