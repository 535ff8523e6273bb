"""The bank cache: the same bank as a fresh parse, rebuilt on any change, never trusted blindly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.loader import DEFAULT_ROOT, ContentError, load_bank


@pytest.fixture
def root(tmp_path: Path) -> Path:
    dest = tmp_path / "content"
    shutil.copytree(DEFAULT_ROOT, dest)
    return dest


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("bank-*.json"))


def test_a_cached_bank_equals_a_fresh_parse(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh = load_bank(root)
    first = load_bank(root, cache_dir=cache)
    assert len(entries(cache)) == 1
    again = load_bank(root, cache_dir=cache)
    assert again.questions == fresh.questions == first.questions and again.topics == fresh.topics


def test_any_edit_builds_a_new_entry(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_bank(root, cache_dir=cache)
    deck = sorted((root / "questions").glob("*.yaml"))[0]
    text = deck.read_text("utf-8")
    first_prompt = text.index("en: ", text.index("prompt:"))
    deck.write_text(text[:first_prompt] + "en: Edited " + text[first_prompt + 4 :], "utf-8")
    bank = load_bank(root, cache_dir=cache)
    assert len(entries(cache)) == 2
    assert any(q.prompt.en.startswith("Edited ") for q in bank.questions)


@pytest.mark.parametrize("pick", ["topics.yaml", "retired_ids.txt", "first deck", "last deck"])
def test_a_change_to_any_file_the_bank_is_built_from_builds_a_new_entry(root: Path, tmp_path: Path, pick: str) -> None:
    """Even a change that leaves the bank as it was (a comment) is a new key: the cache never
    decides what a change means."""
    cache = tmp_path / "cache"
    before = load_bank(root, cache_dir=cache)
    decks = sorted((root / "questions").glob("*.yaml"))
    path = {"first deck": decks[0], "last deck": decks[-1]}.get(pick) or root / pick
    path.write_text(path.read_text("utf-8") + "\n# touched\n", "utf-8")
    after = load_bank(root, cache_dir=cache)
    assert len(entries(cache)) == 2 and after.questions == before.questions


def test_a_broken_edit_is_refused_even_with_a_cache(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_bank(root, cache_dir=cache)
    deck = sorted((root / "questions").glob("*.yaml"))[0]
    deck.write_text(deck.read_text("utf-8").replace("difficulty: ", "difficulty: 9 #", 1), "utf-8")
    with pytest.raises(ContentError):
        load_bank(root, cache_dir=cache)


def test_a_corrupt_or_tampered_entry_is_rebuilt(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh = load_bank(root, cache_dir=cache)
    (entry,) = entries(cache)
    entry.write_text('{"topics": [], "questions": [{"id": "NOT VALID"}]}', "utf-8")
    assert load_bank(root, cache_dir=cache).questions == fresh.questions
    entry.write_bytes(b"\x00garbage")
    assert load_bank(root, cache_dir=cache).questions == fresh.questions


def test_an_unwritable_cache_only_costs_speed(root: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", "utf-8")
    assert load_bank(root, cache_dir=blocker).questions == load_bank(root).questions
