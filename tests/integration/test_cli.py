"""The `studybot` command as a user runs it: in a subprocess, on a real SQLite file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def studybot(
    args: list[str], tmp_path: Path, stdin: str = "", timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "STUDYBOT_DATA_DIR": str(tmp_path / "data"), **env}
    for token in ("TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN", "STUDYBOT_DATABASE_URL"):
        environment.pop(token, None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=timeout,
        cwd=tmp_path,
    )


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    out = studybot(["--help"], tmp_path).stdout
    for name in ("run", "chat", "grade", "content", "db"):
        assert name in out


def test_piped_chat_asks_then_grades(tmp_path: Path) -> None:
    # A weak answer gets a second try first; /reveal then shows the model answer.
    result = studybot(["chat"], tmp_path, "/quiz\nLoRA adds low-rank matrices beside the frozen weights.\n/reveal\n")
    assert result.returncode == 0, result.stderr
    assert "== Question ·" in result.stdout
    assert "== Score:" in result.stdout and "== Model answer ==" in result.stdout
    assert (tmp_path / "data" / "studybot.db").exists()


def test_progress_is_kept_in_the_database_between_runs(tmp_path: Path) -> None:
    studybot(["chat", "--user", "kim"], tmp_path, "/mc basics\n1\n")
    second = studybot(["chat", "--user", "kim"], tmp_path, "/topics\n")
    assert "over 1 answers" in second.stdout


def test_run_without_tokens_starts_the_terminal_chat(tmp_path: Path) -> None:
    result = studybot(["run"], tmp_path, "/help\n")
    assert result.returncode == 0 and "/quiz" in result.stdout


def test_chat_in_chinese(tmp_path: Path) -> None:
    assert "命令" in studybot(["chat", "--lang", "zh"], tmp_path, "/help\n").stdout


def test_a_chinese_session_says_everything_in_chinese(tmp_path: Path) -> None:
    """The greeting, /daily's days and next date, and a group's private-feedback label: no English."""
    private = studybot(
        ["chat", "--lang", "zh"], tmp_path, "/start\n/daily 08:30 Asia/Shanghai weekdays\n/daily mon,wed\n"
    ).stdout
    assert "你好，同学！" in private and "you" not in private
    assert "，工作日，" in private and "，周一、周三，" in private
    assert re.search(r"\d{4}-\d\d-\d\d（周[一二三四五六日]）08:30", private), private
    assert not re.search(r"weekdays|every day|\((Mon|Tue|Wed|Thu|Fri|Sat|Sun)\)", private)
    script = "/quiz basics\n/as bob\nsomething about neural networks and text\n"
    group = studybot(["chat", "--group", "room", "--lang", "zh"], tmp_path, script).stdout
    assert "（只有 bob 看得到）" in group and "sees this" not in group


def test_grade_jsonl_in_order_with_progress_and_bad_lines(tmp_path: Path) -> None:
    rows = [
        {
            "question": "Why is the sky blue?",
            "reference": "Rayleigh scattering of sunlight by air molecules.",
            "answer": "Air molecules scatter short blue wavelengths more (Rayleigh scattering).",
            "id": 1,
        },
        {
            "question": "Why is the sky blue?",
            "reference": "Rayleigh scattering of sunlight by air molecules.",
            "answer": "",
            "id": 2,
        },
        {
            "question": "什么是 LoRA？",
            "reference": "LoRA 在冻结权重旁训练低秩矩阵。",
            "answer": "冻结原权重，训练低秩矩阵。",
            "lang": "zh",
            "id": 3,
        },
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.insert(2, "{not json")
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = studybot(["grade", str(path)], tmp_path)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == [1, 2, None, 3]
    assert out[0]["verdict"] != "incorrect" and out[1]["score"] == 0 and out[3]["verdict"] == "correct"
    assert all(0 <= o["score"] <= 1 for o in out if "score" in o)
    assert out[2]["error"] and f"{path}:3:" in result.stderr
    assert "answer" in result.stderr  # the progress bar's unit
    assert result.returncode == 1


def test_content_check_and_stats(tmp_path: Path) -> None:
    # The whole-bank check takes about 25 s of CPU (every alias and pattern against every answer);
    # the limit only guards against a hang on a machine shared by many test runs.
    check = studybot(["content", "check"], tmp_path, timeout=900)
    assert check.returncode == 0, check.stdout
    stats = json.loads(studybot(["content", "stats", "--json"], tmp_path, timeout=900).stdout)
    assert stats["total"]["questions"] >= 650 and stats["problems"] == 0 and stats["warnings"] == 0
    assert set(stats["choice_correct_longest"]) == {"en", "zh"}
    broken = tmp_path / "broken.yaml"
    broken.write_text("questions:\n  - id: Bad Id\n", encoding="utf-8")
    bad = studybot(["content", "check", str(broken)], tmp_path)
    assert bad.returncode == 1 and "broken.yaml:2:" in bad.stdout


def test_db_migrate_is_idempotent(tmp_path: Path) -> None:
    first = studybot(["db", "migrate"], tmp_path)
    second = studybot(["db", "migrate"], tmp_path)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and "revision" in first.stdout


def test_a_broken_bank_stops_the_bot_with_file_and_line(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    (bank / "questions").mkdir(parents=True)
    (bank / "topics.yaml").write_text("- id: basics\n  name: {en: Basics, zh: 基础}\n", encoding="utf-8")
    (bank / "questions" / "x.yaml").write_text("questions:\n  - id: x\n    topic: basics\n", encoding="utf-8")
    result = studybot(["chat"], tmp_path, "/quiz\n", STUDYBOT_CONTENT_DIR=str(bank))
    assert result.returncode == 1 and "x.yaml:2:" in result.stderr


def test_appeals_are_listed_for_authors(tmp_path: Path) -> None:
    studybot(["chat"], tmp_path, "/quiz basics\nsomething vague about computers and data\n/appeal my answer was fine\n")
    out = studybot(["appeals"], tmp_path)
    assert out.returncode == 0 and "my answer was fine" in out.stdout and "appeal(s)" in out.stdout
    as_json = json.loads(studybot(["appeals", "--json"], tmp_path).stdout)
    assert as_json[0]["appeals"][0]["reason"] == "my answer was fine"


def test_stats_chart_and_export_are_saved_by_the_terminal_chat(tmp_path: Path) -> None:
    out = studybot(["chat"], tmp_path, "/quiz basics\nno idea at all, sorry friend\n/stats\n/export\n").stdout
    assert "[saved " in out and ".png]" in out and ".apkg]" in out
    saved = list((tmp_path / "data" / "out").iterdir())
    assert {p.suffix for p in saved} == {".png", ".apkg"}


def test_terminal_group_round(tmp_path: Path) -> None:
    script = "/quiz basics\n/as bob\nsomething about neural networks and text\n/as you\n/reveal\n/leaderboard\n"
    out = studybot(["chat", "--group", "room"], tmp_path, script).stdout
    # bob's answer shows in the live standings (one message, edited), not as a line of its own
    assert "Group round" in out and "1 answered so far" in out and "Round closed: 1 answer" in out
    assert "1. bob:" in out


def test_charts_are_per_learner_and_forget_deletes_the_learners_files(tmp_path: Path) -> None:
    script = "/quiz basics\nno idea at all, sorry friend\n/stats\n/export\n"
    studybot(["chat", "--user", "ann"], tmp_path, script)
    studybot(["chat", "--user", "ben"], tmp_path, script)
    out = tmp_path / "data" / "out"
    charts = sorted(p.name for p in out.glob("*.png"))
    assert len(charts) == 2, charts  # same day, two learners: two files, neither overwritten
    forgot = studybot(["chat", "--user", "ann"], tmp_path, "/forget confirm\n")
    assert forgot.returncode == 0, forgot.stderr
    left = sorted(p.name for p in out.iterdir())
    assert len(left) == 2 and {p.rsplit(".", 1)[1] for p in left} == {"png", "apkg"}  # ben's only
    assert all(name in charts or name.endswith(".apkg") for name in left)
