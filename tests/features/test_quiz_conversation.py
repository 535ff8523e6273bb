"""The core through the conversation harness, on the in-memory store, with a fake clock."""

from __future__ import annotations

from bot.content.schema import Question
from bot.core.clock import FakeClock
from bot.core.events import Reply, ReplyKind
from bot.core.fakes import MemoryStore
from bot.core.grading import rubric_for
from bot.core.grading.assertions import read
from bot.core.grading.credit import claim_clause
from bot.core.grading.text import clean
from tests.harness import Harness, keys, text


def good_answer(harness: Harness, reply: Reply) -> str:
    q = harness.question_of(reply)
    assert q.answer is not None
    return q.answer.en


async def test_start_and_help_in_the_learners_language(harness: Harness) -> None:
    assert "start.welcome" in keys(await harness.say("/start"))
    replies = await harness.say("/help")
    assert "/quiz" in text(replies) and "/timezone" in text(replies)
    harness.locale = "zh-CN"
    other = harness.as_user("u2", "李雷", locale="zh-hans")
    assert "你好" in text(await other.say("/start"))


async def test_quiz_answer_is_graded_and_stored_before_the_reply(harness: Harness, store: MemoryStore) -> None:
    [question] = await harness.say("/quiz")
    assert question.kind is ReplyKind.QUESTION
    [result] = await harness.say(good_answer(harness, question))
    assert result.kind is ReplyKind.RESULT
    assert result.parts[0].key == "grade.score"
    assert "grade.covered" in result.keys and "grade.reference" in result.keys
    assert any(p.style == "spoiler" for p in result.parts)
    [row] = store.state.answers.values()
    assert row.score >= 0.6 and row.verdict == "correct"
    assert store.state.sessions == {}


async def test_quiz_topic_filter_and_unknown_topic(harness: Harness) -> None:
    [question] = await harness.say("/quiz basics")
    assert harness.question_of(question).topic == "basics"
    assert keys(await harness.say("/quiz no-such-topic")) == ["quiz.unknown_topic"]


async def test_unseen_questions_come_first(harness: Harness, clock: FakeClock) -> None:
    seen = set()
    for _ in range(6):
        [question] = await harness.say("/quiz basics")
        q = harness.question_of(question)
        assert q.id not in seen
        seen.add(q.id)
        await harness.say("/skip")
        clock.advance(minutes=1)


async def test_hint_caps_the_score_and_runs_out(harness: Harness) -> None:
    [question] = await harness.say("/quiz")
    q = harness.question_of(question)
    replies = await harness.say("/hint")
    assert keys(replies) == ["hint.text", "hint.cap"]
    assert q.key_points[0].en in text(replies)
    for _ in range(len(q.key_points) - 1):
        await harness.say("/hint")
    assert keys(await harness.say("/hint")) == ["hint.none_left"]
    [result] = await harness.say(q.answer.en)  # type: ignore[union-attr]
    assert "grade.capped" in result.keys
    assert f"{max(20, 100 - 20 * len(q.key_points))}/100" in result.plain()


async def test_reveal_counts_as_a_miss_and_answer_alias(harness: Harness, store: MemoryStore) -> None:
    await harness.say("/quiz")
    [shown] = await harness.say("/answer")
    assert shown.keys[0] == "reveal.title"
    [row] = store.state.answers.values()
    assert (row.score, row.verdict) == (0.0, "incorrect")
    assert keys(await harness.say("/reveal")) == ["review.rate_how"]  # it waits for a rating


async def test_skip_moves_on_without_penalty(harness: Harness, store: MemoryStore) -> None:
    [first] = await harness.say("/quiz")
    replies = await harness.say("/skip")
    assert keys(replies)[0] == "skip.done" and replies[1].kind is ReplyKind.QUESTION
    assert harness.question_of(replies[1]).id != harness.question_of(first).id
    assert store.state.answers == {}


async def test_buttons_and_stale_buttons(harness: Harness) -> None:
    [question] = await harness.say("/quiz")
    hint_action = question.buttons[0][0].action
    assert keys(await harness.press(hint_action))[0] == "hint.text"
    await harness.press(question.buttons[0][2].action)  # skip
    assert keys(await harness.press(hint_action)) == ["mc.stale"]
    assert keys(await harness.press("garbage:::")) == ["mc.stale"]


async def test_multiple_choice_by_button_and_by_number(harness: Harness, store: MemoryStore) -> None:
    [mc] = await harness.say("/mc")
    assert mc.poll is not None and len(mc.poll.options) == 4
    right = mc.poll.answers[mc.poll.correct]
    [result] = await harness.press(right)
    assert result.keys[0] == "mc.right"
    assert keys(await harness.press(right)) == ["mc.stale"]
    [mc2] = await harness.say("/mc")
    wrong = next(i for i in range(4) if i != mc2.poll.correct)  # type: ignore[union-attr]
    assert keys(await harness.say("seven")) == ["mc.pick"]
    [result2] = await harness.say(str(wrong + 1))
    assert result2.keys[0] == "mc.wrong"
    assert [a.score for a in store.state.answers.values()] == [1.0, 0.0]


async def test_topics_show_counts_and_accuracy(harness: Harness) -> None:
    before = text(await harness.say("/topics"))
    assert "not tried yet" in before
    [mc] = await harness.say("/mc basics")
    await harness.press(mc.poll.answers[mc.poll.correct])  # type: ignore[union-attr]
    assert "average score 100% over 1 answers" in text(await harness.say("/topics"))


async def test_lang_and_timezone_settings(harness: Harness, store: MemoryStore) -> None:
    assert keys(await harness.say("/lang xx")) == ["lang.bad"]
    assert "中文" in text(await harness.say("/lang zh")) or keys(harness.history[-1:]) == ["lang.set"]
    assert "题" in text(await harness.say("/quiz"))
    assert keys(await harness.say("/timezone Mars/Base")) == ["tz.bad"]
    assert keys(await harness.say("/timezone america/new_york")) == ["tz.set"]
    [learner] = store.state.learners.values()
    assert (learner.lang, learner.tz, learner.lang_set) == ("zh", "America/New_York", True)


async def test_group_settings_need_an_admin(harness: Harness) -> None:
    from bot.core.events import ChatKind

    harness.chat_kind = ChatKind.GROUP
    harness.chat_id = "g1"
    member = harness.as_user("u2", "Bob")
    assert keys(await member.say("/lang zh")) == ["group.admins_only"]
    admin = harness.as_user("u3", "Admin", is_admin=True)
    assert keys(await admin.say("/lang zh")) == ["lang.set"]
    assert "题" in text(await member.say("/quiz"))
    assert await member.say("just chatting") == []


async def test_bad_input_gets_a_clear_reply_and_nothing_breaks(harness: Harness, store: MemoryStore) -> None:
    assert keys(await harness.say("/nonsense")) == ["error.unknown_command"]
    assert keys(await harness.say("hello?")) == ["quiz.no_open"]
    await harness.say("/quiz")
    huge = "LoRA " * 25_000  # 125 kB
    replies = await harness.say(huge)
    assert replies[0].keys == ("error.too_long",)
    assert replies[1].kind is ReplyKind.RESULT
    await harness.say("/quiz")
    weird = "\u200b\u202e<b>&amp;</b> **bold** `code` 🧑‍🚀 \x00"
    [result] = await harness.say(weird)
    assert result.kind is ReplyKind.RESULT and result.parts[0].key == "grade.score"
    texts = [a.text for a in store.state.answers.values()]
    assert texts[1] == weird  # stored as written; adapters escape on the way out
    assert len(texts[0]) <= 8000


async def test_feedback_names_contradicted_points_and_misconceptions(harness: Harness) -> None:
    """A wrong claim is shown as wrong, with what the answer said and the fact or correction, in both
    languages; a point the answer denies is never listed as covered."""
    for locale, lang in (("en", "en"), ("zh-CN", "zh")):
        harness.locale = locale
        for _ in range(40):  # draw until a question whose first misconception its own patterns match comes up
            [reply] = await harness.say("/quiz")
            q = harness.question_of(reply)
            if len(q.key_points) >= 2 and q.answer is not None and _claim_matches(q, lang):
                break
            await harness.say("/skip")
        else:
            raise AssertionError("no question with misconceptions drawn")
        claim = q.misconceptions[0].claim.get(lang).rstrip("。.")
        point = q.key_points[0].text(lang).rstrip("。.")
        answer = f"{claim}。{point}，这种说法是错误的。" if lang == "zh" else f"{claim}. It is not true that {point}."
        [result] = await harness.say(answer)
        said = [p.text for p in result.parts if p.key == "grade.said_wrong"]
        assert "grade.wrong" in result.keys and len(said) >= 2, result.plain()
        correction = q.misconceptions[0].correction.get(lang)
        assert any(correction in s for s in said), result.plain()
        assert any(q.key_points[0].text(lang) in s for s in said), result.plain()
        prefix = "你说" if lang == "zh" else "You said"
        assert all(s.startswith(prefix) for s in said)
        covered = result.parts[result.keys.index("grade.covered") :] if "grade.covered" in result.keys else []
        assert not any(p.text == q.key_points[0].text(lang) and p.style == "ok" for p in covered)


def _claim_matches(q: Question, lang: str) -> bool:
    """The bank's first misconception of `q` is found in its own claim (the content checker's matcher)."""
    if not q.misconceptions:
        return False
    patterns = rubric_for(q).misconceptions[0].patterns
    return claim_clause(read(clean(q.misconceptions[0].claim.get(lang))), patterns) is not None
