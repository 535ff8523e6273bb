"""`studybot grade IN.jsonl`: grade a file of answers, for authors and benchmarks.

The default grader by default; with `--judge`, the LLM judge of STUDYBOT_JUDGE_URL behind the
offline grader (bot.judging), each line then saying whether the judge's verdict was used
(`judge`: "llm") or the offline grade stood (`judge`: "offline-fallback", with `judge_reason`).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from tqdm import tqdm

from bot.core.grading import Grader, Rubric, rubric_from_record
from bot.core.grading.text import detect_lang

if TYPE_CHECKING:
    from bot.judging.guard import GuardedJudge

GradeOne = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def _rubric(record: dict[str, Any]) -> tuple[Rubric, str, str]:
    answer = str(record.get("answer") or "")
    lang = record.get("lang") or detect_lang(str(record.get("reference") or "") + str(record.get("question") or ""))
    return rubric_from_record(record, str(lang)), answer, str(lang)


def grade_record(grader: Grader, record: dict[str, Any]) -> dict[str, Any]:
    rubric, answer, lang = _rubric(record)
    grade = grader.grade(rubric, answer, lang)
    return {**record, "score": grade.score, "verdict": grade.verdict.value}


async def judge_record(judge: GuardedJudge, record: dict[str, Any]) -> dict[str, Any]:
    rubric, answer, lang = _rubric(record)
    judged = await judge.grade(rubric, answer, lang)
    out = {**record, "score": judged.grade.score, "verdict": judged.grade.verdict.value}
    out["judge"] = "llm" if judged.source == "llm" else "offline-fallback"
    if judged.reason:
        out["judge_reason"] = judged.reason
    out["wrong_claims"] = [c.model_dump() for c in judged.wrong_claims]
    if judged.feedback:
        out["feedback"] = judged.feedback
    return out


def _lines(path: str) -> tuple[Iterator[str], int | None, TextIO]:
    if path == "-":
        return iter(sys.stdin), None, sys.stdin
    handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed by the caller
    with open(path, "rb") as counter:
        total = sum(1 for _ in counter)
    return iter(handle), total, handle


def _record(line: str) -> dict[str, Any]:
    record = json.loads(line)
    if not isinstance(record, dict):
        raise ValueError("a line must be a JSON object")
    if "answer" not in record or ("reference" not in record and "key_points" not in record):
        raise ValueError("needs `answer` and `reference` (or `key_points`)")
    return record


def grade_file(
    path: str,
    out: TextIO,
    *,
    progress: bool = True,
    grader: Grader | None = None,
    judge: GuardedJudge | None = None,
) -> int:
    """Grade every line, in order; a malformed line is reported on stderr and echoed with an `error`."""
    if grader is None:
        from bot.bootstrap import default_grader

        grader = default_grader()
    offline = grader

    async def by_grader(record: dict[str, Any]) -> dict[str, Any]:
        return grade_record(offline, record)

    async def by_judge(record: dict[str, Any]) -> dict[str, Any]:
        assert judge is not None
        return await judge_record(judge, record)

    try:
        lines, total, handle = _lines(path)
    except OSError as exc:
        print(f"studybot grade: {path}: {exc.strerror}", file=sys.stderr)
        return 2
    with handle:
        return asyncio.run(_grade_lines(path, lines, total, out, progress, by_judge if judge else by_grader))


async def _grade_lines(
    path: str, lines: Iterator[str], total: int | None, out: TextIO, progress: bool, grade_one: GradeOne
) -> int:
    bad = 0
    with tqdm(total=total, unit="answer", disable=not progress, file=sys.stderr) as bar:
        for number, line in enumerate(lines, 1):
            bar.update(1)
            if not line.strip():
                continue
            try:
                result = await grade_one(_record(line))
            except ValueError as exc:  # JSONDecodeError is a ValueError
                bad += 1
                print(f"{path}:{number}: {exc}", file=sys.stderr)
                result = {"line": number, "error": str(exc)}
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 1 if bad else 0
