"""Hostile and malformed decks: each is rejected with file and line, nothing in one runs code, and the bot
refuses to start — on any platform — rather than serve half a bank."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.loader import DEFAULT_ROOT, check_path
from tests.adapters.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.hardening.processes import bot_env, run_to_end

HOSTILE_DECKS: dict[str, tuple[str | bytes, str]] = {
    "tabs.yaml": ("questions:\n\t- id: x\n", "tabs.yaml:2:"),
    "empty.yaml": ("", "empty.yaml:1:"),
    "top-level-list.yaml": ("- a\n- b\n", "top-level-list.yaml:1:"),
    "python-tag.yaml": ("questions:\n  - !!python/object/apply:os.system ['touch PWNED']\n", "python-tag.yaml:2:"),
    "huge-number.yaml": ("questions:\n  - id: x\n    topic: basics\n    difficulty: 1e309\n", "huge-number.yaml:4:"),
    "not-utf8.yaml": (b"questions:\n  - id: caf\xe9\n", "not-utf8.yaml:1: not UTF-8"),
    # (the YAML reader reports a control character at line 1, wherever it is)
    "control-chars.yaml": ('questions:\n  - id: "\x07\x1b[31m"\n', "control-chars.yaml:"),
    "nested-60.yaml": ("questions: " + "[" * 60 + "]" * 60 + "\n", "nested-60.yaml:1:"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_DECKS))
def test_a_hostile_deck_is_rejected_with_file_and_line(tmp_path: Path, name: str) -> None:
    text, expected = HOSTILE_DECKS[name]
    deck = tmp_path / name
    if isinstance(text, bytes):
        deck.write_bytes(text)
    else:
        deck.write_text(text, encoding="utf-8")
    _, problems = check_path(deck, DEFAULT_ROOT)
    shown = [str(p) for p in problems]
    assert any(p.startswith(expected) or f"/{expected}" in p for p in shown), shown
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()  # no tag ever runs code


def test_yaml_aliases_are_refused_not_expanded(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 3)]  # small: 10^3
    deck = tmp_path / "laughs.yaml"
    deck.write_text("\n".join(lines) + "\nquestions:\n  - *a2\n", encoding="utf-8")
    _, problems = check_path(deck, DEFAULT_ROOT)
    assert any("laughs.yaml:2:" in str(p) and "alias" in str(p).split("laughs.yaml:2:")[1] for p in problems), problems


def test_deeply_nested_yaml_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    deck = tmp_path / "deep.yaml"
    deck.write_text("questions: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    _, problems = check_path(deck, DEFAULT_ROOT)
    assert any("deep.yaml:1:" in str(p) for p in problems), problems


@pytest.mark.slow
async def test_studybot_run_with_a_platform_token_refuses_a_broken_bank_before_connecting(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    (bank / "questions").mkdir(parents=True)
    (bank / "topics.yaml").write_text((DEFAULT_ROOT / "topics.yaml").read_text("utf-8"), "utf-8")
    good = next((DEFAULT_ROOT / "questions").glob("*.yaml"))
    (bank / "questions" / good.name).write_text(good.read_text("utf-8"), "utf-8")  # half the bank is fine ...
    (bank / "questions" / "zz-broken.yaml").write_text("questions:\n  - id: Bad Id\n", "utf-8")  # ... half is not
    api = FakeBotApi()
    await api.start()
    env = bot_env(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, STUDYBOT_CONTENT_DIR=str(bank)
    )
    try:
        code, _, err = await run_to_end(["run"], env, tmp_path)
    finally:
        await api.stop()
    assert code == 1
    assert "zz-broken.yaml:2:" in err and "question bank is broken" in err
    assert api.calls == []  # it never went online with half a bank
