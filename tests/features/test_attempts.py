"""Attempts: a throwaway message is not an answer; a weak answer gets one more try before the model answer."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.actions import AnswerForm
from bot.core.events import ReplyKind
from bot.core.fakes import MemoryStore
from bot.core.features.attempts import MIN_MEANINGFUL, too_short
from bot.core.features.attempts import THROWAWAY as THROWAWAY_WORDS
from tests.harness import Harness, keys, text

THROWAWAY = ["ok", "y", "👍", "?", "yes!", "好的", "...", "no", "Okay.", "Thanks!", "idk", "好"]
WEAK = "I am not sure, something about computers."


async def test_throwaway_inputs_keep_the_question_open(harness: Harness, store: MemoryStore) -> None:
    [question] = await harness.say("/quiz")
    q = harness.question_of(question)
    for junk in THROWAWAY:
        assert keys(await harness.say(junk)) == ["answer.too_short"], junk
    assert "Send your full answer, or /skip" in text(harness.history[-1:])
    assert not store.state.answers  # nothing graded, nothing stored
    [result] = await harness.say(q.answer.en)  # type: ignore[union-attr]
    assert result.kind is ReplyKind.RESULT and len(store.state.answers) == 1


async def test_throwaway_in_chinese_is_answered_in_chinese(harness: Harness) -> None:
    harness.locale = "zh"
    await harness.say("/quiz")
    assert "请发送完整的回答" in text(await harness.say("好"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(categories=["P", "S", "Z"]), max_size=40))
def test_punctuation_symbols_and_emoji_alone_are_never_an_answer(junk: str) -> None:
    assert too_short(junk)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Ll", "Lu"], max_codepoint=0x24F), min_size=MIN_MEANINGFUL))
def test_enough_letters_are_an_answer(letters: str) -> None:
    assert too_short(letters) == (letters.casefold() in THROWAWAY_WORDS)


def test_one_word_answers_and_short_chinese_answers_are_graded() -> None:
    for answer in ("bananas", "dropout", "不知道", "量化", "I don't know"):
        assert not too_short(answer), answer


async def test_a_weak_answer_gets_one_retry_and_the_schedule_counts_the_first(
    harness: Harness, store: MemoryStore
) -> None:
    [question] = await harness.say("/quiz")
    q = harness.question_of(question)
    [first] = await harness.say(WEAK)
    assert "retry.offer" in first.keys and "grade.reference" not in first.keys and "grade.missed" not in first.keys
    assert isinstance(first.answer_form, AnswerForm)  # Discord: the Answer button opens the form again
    assert q.answer is not None and q.answer.en not in first.plain()
    [card] = store.state.cards.values()
    [second] = await harness.say(q.answer.en)
    assert "grade.reference" in second.keys and "retry.first_counts" in second.keys
    assert store.state.cards[next(iter(store.state.cards))] == card  # the retry did not reschedule
    assert next(a.score for a in store.state.answers.values()) < 0.6 and len(store.state.answers) == 1
    assert keys(await harness.say("another answer about something else entirely")) == ["quiz.no_open"]  # one retry only


async def test_reveal_after_a_weak_answer_shows_the_answer_without_another_miss(
    harness: Harness, store: MemoryStore
) -> None:
    [question] = await harness.say("/quiz")
    q = harness.question_of(question)
    await harness.say(WEAK)
    [shown] = await harness.say("/reveal")
    assert q.answer is not None and q.answer.en in shown.plain()
    assert len(store.state.answers) == 1 and "review.rate_prompt" not in shown.keys


async def test_a_good_answer_needs_no_retry(harness: Harness) -> None:
    [question] = await harness.say("/quiz")
    q = harness.question_of(question)
    [result] = await harness.say(q.answer.en)  # type: ignore[union-attr]
    assert "grade.reference" in result.keys and "retry.offer" not in result.keys


async def test_an_answer_is_appealed_once(harness: Harness, store: MemoryStore) -> None:
    await harness.say("/quiz")
    await harness.say(WEAK)
    assert keys(await harness.say("/appeal the grader missed my point")) == ["appeal.saved"]
    assert keys(await harness.say("/appeal the grader missed my point")) == ["appeal.already"]
    assert len(store.state.appeals) == 1
