"""Honest progress: /stats shows misses at once, names the average score, and points at weak topics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.clock import FakeClock
from bot.core.fakes import MemoryStore
from bot.core.ports.cards import CardState
from bot.core.srs import MASTERED_STABILITY_DAYS, mastered
from tests.harness import Harness, keys, text

WEAK = "I am not sure, something about computers."


async def answer_in(harness: Harness, topic: str, good: bool) -> str:
    [question] = await harness.say(f"/quiz {topic}")
    q = harness.question_of(question)
    await harness.say(q.answer.en if good and q.answer else WEAK)
    return q.id


async def test_failures_show_at_once_and_the_weak_topic_is_suggested(harness: Harness) -> None:
    for _ in range(3):
        await answer_in(harness, "rag", good=False)
    [reply] = await harness.say("/stats")
    shown = reply.plain()
    assert "average score" in shown and "accuracy" not in shown
    rag = harness.bot.bank.find_topic("rag")
    assert rag is not None
    assert f"{rag.name.en}: 0% mastered (0 of 3" in shown
    assert "stats.weak" in reply.keys and "/quiz rag" in shown


async def test_mastery_needs_recall_and_a_miss_takes_it_away(
    harness: Harness, store: MemoryStore, clock: FakeClock
) -> None:
    qid = await answer_in(harness, "peft", good=True)
    assert "0% mastered (0 of 1" in text(await harness.say("/stats"))  # one good answer is not mastery
    for _ in range(8):  # keep answering it well whenever it comes due
        [card] = [c for (_, q), c in store.state.cards.items() if q == qid]
        if mastered(card):
            break
        clock.set(card.due + timedelta(minutes=1))
        [due] = await harness.say("/review")
        assert harness.question_of(due).id == qid
        await harness.say(harness.question_of(due).answer.en)  # type: ignore[union-attr]
    assert "100% mastered (1 of 1" in text(await harness.say("/stats"))
    [card] = [c for (_, q), c in store.state.cards.items() if q == qid]
    clock.set(card.due + timedelta(minutes=1))
    await harness.say("/review")
    await harness.say(WEAK)
    after = text(await harness.say("/stats"))
    assert "0% mastered (0 of 1" in after and "/quiz peft" in after


async def test_help_defines_mastery(harness: Harness) -> None:
    shown = text(await harness.say("/help"))
    assert f"{round(MASTERED_STABILITY_DAYS)} days after your last review" in shown
    harness.locale = "zh"
    assert "掌握度" in text(await harness.say("/help"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=st.integers(0, 3), stability=st.floats(0, 400, allow_nan=False))
def test_mastered_means_review_state_and_a_week_of_stability(state: int, stability: float) -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    card = CardState("q", state, None, stability, 5.0, now, now)
    assert mastered(card) == (state == 2 and stability >= MASTERED_STABILITY_DAYS)


async def test_stats_in_chinese_name_the_average_score(harness: Harness) -> None:
    harness.locale = "zh"
    await answer_in(harness, "rag", good=False)
    shown = text(await harness.say("/stats"))
    assert "平均得分" in shown and "薄弱主题" in shown
    assert keys(await harness.say("/stats"))[0] == "stats.title"


async def test_the_chart_speaks_the_learners_language_with_an_english_twin(harness: Harness) -> None:
    from bot.core.documents import StatsChart
    from bot.rendering.chart import _needs_cjk

    harness.locale = "zh"
    await answer_in(harness, "rag", good=False)
    [reply] = await harness.say("/stats")
    assert reply.attachment is not None and reply.attachment.data.startswith(b"\x89PNG")
    # The core's description: Chinese words and topic names, and an English twin with topic ids.
    chart = await _described_chart(harness)
    assert chart.text.mastery == "已掌握 %" and _needs_cjk(chart)
    assert chart.latin is not None and chart.latin.readiness[0][0] == "rag" and not _needs_cjk(chart.latin)
    harness.locale = "en"
    await harness.say("/lang en")
    english = await _described_chart(harness)
    assert isinstance(english, StatsChart) and english.latin is None and english.text.mastery == "mastered %"


async def _described_chart(harness: Harness):  # type: ignore[no-untyped-def]
    """The chart description /stats hands the renderer (captured before drawing)."""
    seen = []
    renderer = harness.bot.renderer

    class Capture:
        async def render(self, drawing):  # type: ignore[no-untyped-def]
            seen.append(drawing)
            return await renderer.render(drawing)

    harness.bot.renderer = Capture()
    try:
        await harness.say("/stats")
    finally:
        harness.bot.renderer = renderer
    return seen[0]
