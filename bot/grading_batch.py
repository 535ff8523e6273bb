"""`studybot grade IN.jsonl`: the default grader over a file of answers, for authors and benchmarks."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from tqdm import tqdm

from bot.core.grading import Grader, KeyPointGrader, rubric_from_record
from bot.core.grading.text import detect_lang


def grade_record(grader: Grader, record: dict[str, Any]) -> dict[str, Any]:
    answer = str(record.get("answer") or "")
    lang = record.get("lang") or detect_lang(str(record.get("reference") or "") + str(record.get("question") or ""))
    grade = grader.grade(rubric_from_record(record, str(lang)), answer, str(lang))
    return {**record, "score": grade.score, "verdict": grade.verdict.value}


def _lines(path: str) -> tuple[Iterator[str], int | None, TextIO]:
    if path == "-":
        return iter(sys.stdin), None, sys.stdin
    handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed by the caller
    with open(path, "rb") as counter:
        total = sum(1 for _ in counter)
    return iter(handle), total, handle


def grade_file(path: str, out: TextIO, *, progress: bool = True, grader: Grader | None = None) -> int:
    """Grade every line; a malformed line is reported on stderr and echoed with an `error`."""
    grader = grader or KeyPointGrader()
    try:
        lines, total, handle = _lines(path)
    except OSError as exc:
        print(f"studybot grade: {path}: {exc.strerror}", file=sys.stderr)
        return 2
    bad = 0
    with handle, tqdm(total=total, unit="answer", disable=not progress, file=sys.stderr) as bar:
        for number, line in enumerate(lines, 1):
            bar.update(1)
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("a line must be a JSON object")
                if "answer" not in record or ("reference" not in record and "key_points" not in record):
                    raise ValueError("needs `answer` and `reference` (or `key_points`)")
                result = grade_record(grader, record)
            except ValueError as exc:  # JSONDecodeError is a ValueError
                bad += 1
                print(f"{path}:{number}: {exc}", file=sys.stderr)
                result = {"line": number, "error": str(exc)}
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 1 if bad else 0
