"""/interview: n questions across topics, deeper follow-ups, silence until the end, then a report."""

from __future__ import annotations

import pytest

from bot.core.events import ReplyKind
from bot.core.fakes import MemoryStore
from tests.harness import Harness, keys, text

WEAK = "I am not sure, something about computers."


async def run_interview(harness: Harness, start: str, good: bool) -> tuple[list[str], str]:
    replies = await harness.say(start)
    asked: list[str] = []
    while True:
        question = next((r for r in replies if r.kind is ReplyKind.QUESTION), None)
        if question is None:
            return asked, text(replies)
        q = harness.question_of(question)
        asked.append(q.id)
        replies = await harness.say(q.answer.en if good and q.answer else WEAK)
        for r in replies:
            assert "grade.reference" not in r.keys and "grade.missed" not in r.keys  # no feedback until the end


async def test_an_interview_across_topics_ends_with_a_report(harness: Harness, store: MemoryStore) -> None:
    asked, report = await run_interview(harness, "/interview 4", good=False)
    bank = harness.bot.bank
    assert len(asked) == 4 and len(set(asked)) == 4
    assert len({bank.by_id[q].topic for q in asked}) == 4  # across topics
    assert len({bank.by_id[q].difficulty for q in asked}) >= 2  # mixed difficulty
    assert "Interview report: 4 questions" in report and "Weakest areas" in report and "/quiz " in report
    assert len(store.state.answers) == 4  # every answer counts for reviews


async def test_good_answers_earn_deeper_follow_ups_never_easier(harness: Harness) -> None:
    asked, report = await run_interview(harness, "/interview rag 5", good=True)
    bank = harness.bot.bank
    assert len(asked) == 5
    assert "(deeper)" in report and "Overall:" in report  # a good answer leads to a follow-up
    for q in asked:
        assert bank.by_id[q].topic == "rag"


async def test_follow_ups_are_never_easier(harness: Harness) -> None:
    replies = await harness.say("/interview rag 6")
    previous = None
    for _ in range(6):
        question = next((r for r in replies if r.kind is ReplyKind.QUESTION), None)
        if question is None:
            break
        q = harness.question_of(question)
        if previous is not None and "(deeper)" in question.plain():
            assert q.difficulty >= previous.difficulty
        previous = q
        replies = await harness.say(q.answer.en)  # type: ignore[union-attr]


async def test_skip_stop_and_bad_input(harness: Harness) -> None:
    assert keys(await harness.say("/interview 99")) == ["interview.bad_n"]
    assert keys(await harness.say("/interview stop")) == ["interview.none"]
    await harness.say("/interview 3")
    assert keys(await harness.say("ok")) == ["answer.too_short"]
    assert keys(await harness.say("/reveal")) == ["interview.no_feedback"]
    after_skip = await harness.say("/skip")
    assert "interview.noted" in keys(after_skip)
    [report] = await harness.say("/interview stop")
    assert "Interview report: 1 question" in report.plain()
    assert keys(await harness.say(WEAK)) == ["quiz.no_open"]


@pytest.mark.parametrize("locale", ["zh"])
async def test_interview_in_chinese(harness: Harness, locale: str) -> None:
    harness.locale = locale
    _, report = await run_interview(harness, "/interview 2", good=False)
    assert "面试报告" in report and "总分" in report
