"""Learning features through the conversation harness, with a fake clock, on the in-memory store."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from datetime import timedelta

from bot.core.actions import FollowUp, Rate, RoundPick
from bot.core.clock import FakeClock
from bot.core.events import ChatKind, ReplyKind
from bot.core.fakes import MemoryStore
from bot.core.modes import Mode
from bot.core.ports.cards import CardState
from tests.harness import Harness, keys, text


async def ask_and_answer(harness: Harness, reply_with: str = "good", topic: str = "") -> tuple[str, list]:  # type: ignore[type-arg]
    [question] = await harness.say(f"/quiz {topic}".strip())
    q = harness.question_of(question)
    answer = q.answer.en if reply_with == "good" else "I am not sure, something about computers."  # type: ignore[union-attr]
    return q.id, await harness.say(answer)


def card_of(store: MemoryStore, qid: str) -> CardState:
    [card] = [c for (_, question_id), c in store.state.cards.items() if question_id == qid]
    return card


async def test_fsrs_schedules_reviews_and_quiz_prefers_them(
    harness: Harness, store: MemoryStore, clock: FakeClock
) -> None:
    qid, _ = await ask_and_answer(harness, "good")
    card = card_of(store, qid)
    assert card.reps == 1 and card.due > clock.now()
    assert keys(await harness.say("/review"))[0] == "review.none_due"
    clock.set(card.due + timedelta(minutes=1))
    [due] = await harness.say("/review")
    assert due.parts[0].key == "review.title" and harness.question_of(due).id == qid
    await harness.say("/skip")
    [preferred] = await harness.say("/quiz")
    assert preferred.parts[0].key == "review.title"
    [_result] = await harness.say(harness.question_of(preferred).answer.en)  # type: ignore[union-attr]
    later = card_of(store, qid)
    assert later.reps == 2 and later.due > card.due


async def test_weak_answer_maps_to_again_and_offers_a_follow_up(harness: Harness, store: MemoryStore) -> None:
    qid, [offer] = await ask_and_answer(harness, "weak", "basics")
    card = card_of(store, qid)
    assert card.state in (1, 3)  # Learning / Relearning: Again keeps it close
    assert "retry.offer" in offer.keys
    [result] = await harness.say("/reveal")  # no second try: the model answer, then the follow-up
    follow = [b for row in result.buttons for b in row if isinstance(b.action, FollowUp)]
    assert follow, "a weak answer offers a follow-up"
    replies = await harness.press(follow[0].action)
    assert keys(replies)[0] == "review.follow_up" and replies[1].kind is ReplyKind.QUESTION
    original = harness.bot.bank.by_id[qid]
    assert harness.question_of(replies[1]).id != qid
    assert harness.question_of(replies[1]).topic == original.topic


async def test_reveal_then_rating_and_unrated_counts_as_again(harness: Harness, store: MemoryStore) -> None:
    [question] = await harness.say("/quiz")
    qid = harness.question_of(question).id
    [shown] = await harness.say("/reveal")
    ratings = [b.action for b in shown.buttons[0]]
    assert [a.rating for a in ratings if isinstance(a, Rate)] == ["again", "hard", "good", "easy"]
    assert keys(await harness.press(ratings[2]))[0] == "review.rated"
    assert (card_of(store, qid)).reps == 1
    assert keys(await harness.press(ratings[2])) == ["mc.stale"]
    [q2] = await harness.say("/quiz")
    qid2 = harness.question_of(q2).id
    await harness.say("/reveal")
    await harness.say("/quiz")  # moved on without rating
    assert (card_of(store, qid2)).reps == 1


async def test_flashcards_are_rated_by_the_learner(harness: Harness, store: MemoryStore, clock: FakeClock) -> None:
    _qid, _ = await ask_and_answer(harness, "good")
    clock.advance(days=30)
    [card] = await harness.say("/review cards")
    assert card.parts[0].key == "review.card_title"
    [back] = await harness.press(card.buttons[0][0].action)
    assert back.parts[0].key == "review.card_back"
    assert keys(await harness.say("easy"))[0] == "review.rated"
    assert [a.mode for a in store.state.answers.values()] == [Mode.QUIZ, Mode.CARD]


async def test_leeches_are_flagged_and_the_learner_is_told(
    harness: Harness, store: MemoryStore, clock: FakeClock
) -> None:
    [question] = await harness.say("/quiz")
    q = harness.question_of(question)
    told = []
    await harness.say("wrong answer about bananas and apples")
    for _ in range(6):
        clock.advance(days=3)
        [again] = await harness.say("/review")
        assert harness.question_of(again).id == q.id
        told += keys(await harness.say("still wrong about bananas and apples"))
    assert "review.leech" in told and told.count("review.leech") == 1
    assert (card_of(store, q.id)).leech


async def test_stats_with_streak_and_chart(harness: Harness, clock: FakeClock) -> None:
    assert keys(await harness.say("/stats")) == ["stats.empty"]
    for _ in range(3):
        await ask_and_answer(harness, "good")
        clock.advance(days=1)
    [reply] = await harness.say("/stats")
    assert "Streak: 3 days" in reply.plain() or "Streak: 2 days" in reply.plain()
    assert reply.attachment is not None and reply.attachment.kind == "image"
    assert reply.attachment.data.startswith(b"\x89PNG")
    assert "stats.mastery" in reply.keys


async def test_streak_grace_across_a_timezone_change(harness: Harness, clock: FakeClock) -> None:
    from datetime import UTC, datetime

    await harness.say("/timezone Asia/Tokyo")
    clock.set(datetime(2026, 3, 2, 14, 0, tzinfo=UTC))  # 23:00 in Tokyo, Mon
    await ask_and_answer(harness)
    clock.set(datetime(2026, 3, 3, 14, 0, tzinfo=UTC))  # 23:00 Tue
    await ask_and_answer(harness)
    await harness.say("/timezone America/Los_Angeles")
    clock.set(datetime(2026, 3, 5, 20, 0, tzinfo=UTC))  # 12:00 Thu in LA: Wednesday was missed
    await ask_and_answer(harness)
    [reply] = await harness.say("/stats")
    assert "Streak: 3 days" in reply.plain()
    assert "stats.grace" in reply.keys


async def test_group_round_with_three_members(harness: Harness, store: MemoryStore, clock: FakeClock) -> None:
    harness.chat_kind, harness.chat_id = ChatKind.GROUP, "g1"
    starter = harness.as_user("s", "Starter")
    ada, bob = harness.as_user("a", "<b>Ada</b>"), harness.as_user("b", "Bob")
    admin = harness.as_user("x", "Admin", is_admin=True)
    [question] = await starter.say("/quiz")
    q = harness.question_of(question)
    assert (
        question.kind is ReplyKind.QUESTION
        and question.answer_form is not None
        and question.answer_form.round is not None
    )
    private, live = await ada.say("bananas", addressed=True)
    assert live.keys[0] == "round.standings" and live.live and "<b>Ada</b>" in live.plain()
    assert private.ephemeral and "bananas" not in live.plain()
    # Fair rounds: the first answer counts; the private feedback shows no key point or model answer.
    assert "grade.covered" not in private.keys and "grade.reference" not in private.keys
    assert q.answer is not None
    [again] = await ada.say(q.answer.en, addressed=True)
    assert again.keys == ("round.first_counts",) and again.ephemeral
    await bob.say(f"/a {q.answer.en[:80]}")
    await starter.say(q.answer.en, addressed=True)
    assert await bob.say("chatting, not an answer") == []
    assert keys(await bob.say("/reveal")) == ["round.reveal_refused"]
    [summary] = await admin.say("/reveal")
    assert summary.keys[0] == "round.closed" and "3 answers" in summary.plain()
    assert "grade.reference" in summary.keys and summary.ends_live == live.live
    assert summary.plain().index("Starter") < summary.plain().index("<b>Ada</b>")
    [late] = await bob.say("one more try", addressed=True)
    assert late.keys == ("round.late",) and late.ephemeral
    assert sum(a.mode is Mode.ROUND for a in store.state.answers.values()) == 3
    [board] = await bob.say("/leaderboard")
    assert board.keys[0] == "round.leaderboard_week" and "1. \u2068Starter\u2069" in board.plain()
    clock.advance(days=8)
    assert keys(await bob.say("/leaderboard week")) == ["round.leaderboard_empty"]
    assert "Ada" in text(await bob.say("/leaderboard all"))


async def test_rounds_close_on_time(harness: Harness, clock: FakeClock) -> None:
    harness.chat_kind, harness.chat_id = ChatKind.GROUP, "g2"
    [question] = await harness.say("/mc")
    assert question.poll is not None and all(isinstance(a, RoundPick) for a in question.poll.answers)
    member = harness.as_user("m", "Mia")
    [live] = await member.press(question.poll.answers[question.poll.correct])
    assert live.live and "Mia" in live.plain() and "100" not in live.plain()  # the pick is not given away
    assert await harness.bot.close_due_rounds() == []
    clock.advance(minutes=16)
    [out] = await harness.bot.close_due_rounds()
    assert (
        out.chat.id == "g2" and out.reply.keys[0] == "round.closed" and "\u2068Mia\u2069: 100/100" in out.reply.plain()
    )
    assert await harness.bot.close_due_rounds() == []


async def test_link_codes_merge_expire_and_are_single_use(harness: Harness, clock: FakeClock) -> None:
    tg = Harness(harness.bot, platform="telegram", user_id="100", user_name="Ada")
    dc = Harness(harness.bot, platform="discord", user_id="200", user_name="ada#1")
    await ask_and_answer(tg)
    [code_reply] = await tg.say("/link")
    code = code_reply.parts[0].text.rsplit(" ", 1)[1]
    assert code_reply.ephemeral
    assert keys(await tg.say(f"/link {code}")) == ["link.same"]
    [done] = await dc.say(f"/link {code}")
    assert done.keys == ("link.done",) and "discord, telegram" in done.plain()
    assert "1" in text(await dc.say("/stats"))
    other = Harness(harness.bot, platform="discord", user_id="300", user_name="Eve")
    assert keys(await other.say(f"/link {code}")) == ["link.bad"]  # single use
    [fresh] = await tg.say("/link")
    clock.advance(minutes=11)
    late = fresh.parts[0].text.rsplit(" ", 1)[1]
    assert keys(await other.say(f"/link {late}")) == ["link.bad"]  # expired
    assert keys(await dc.say("/link off")) == ["link.off"]
    assert keys(await dc.say("/link off")) == ["link.not_linked"]
    assert keys(await dc.say("/stats")) == ["stats.empty"]  # telegram's answers stayed with telegram
    assert keys(await tg.say("/stats"))[0] == "stats.title"


async def test_export_is_a_valid_anki_deck(harness: Harness) -> None:
    assert keys(await harness.say("/export")) == ["export.nothing"]
    qid, _ = await ask_and_answer(harness, "weak")
    [reply] = await harness.say("/export")
    assert reply.attachment is not None and reply.attachment.filename.endswith(".apkg")
    archive = zipfile.ZipFile(io.BytesIO(reply.attachment.data))
    assert "collection.anki2" in archive.namelist()
    db = sqlite3.connect(":memory:")
    db.deserialize(archive.read("collection.anki2"))
    notes = db.execute("select flds from notes").fetchall()
    assert len(notes) == 1
    assert harness.bot.bank.by_id[qid].prompt.en.split("?")[0][:20] in notes[0][0]


async def test_appeal_is_stored_for_authors(harness: Harness, store: MemoryStore) -> None:
    assert keys(await harness.say("/appeal")) == ["appeal.nothing"]
    qid, _ = await ask_and_answer(harness, "weak")
    assert keys(await harness.say("/appeal I said the same thing in other words")) == ["appeal.saved"]
    async with store.transaction() as tx:
        [appeal] = await tx.appeals.all()
    assert appeal.question_id == qid and "other words" in appeal.reason and appeal.answer_text


async def test_forget_leaves_nothing_behind(harness: Harness, store: MemoryStore, clock: FakeClock) -> None:
    await ask_and_answer(harness, "weak")
    await harness.say("/appeal unfair")
    await harness.say("/link")
    await harness.say("/quiz")
    [confirm] = await harness.say("/forget")
    assert confirm.buttons and keys(await harness.say("/stats"))[0] == "stats.title"
    clock.advance(minutes=6)
    assert keys(await harness.press(confirm.buttons[0][0].action)) == ["forget.expired"]
    assert keys(await harness.say("/forget confirm")) == ["forget.done"]
    for table, rows in vars(store.state).items():
        if table not in {"chats", "ids"}:
            assert not rows, f"{table} still has {len(rows)} row(s)"


async def test_personal_commands_stay_private_in_groups(harness: Harness) -> None:
    harness.chat_kind, harness.chat_id = ChatKind.GROUP, "g3"
    assert keys(await harness.say("/link")) == ["error.private_only"]
    assert keys(await harness.say("/forget")) == ["error.private_only"]


async def test_guessing_link_codes_is_cut_off_and_codes_are_unpredictable(harness: Harness, clock: FakeClock) -> None:
    owner = Harness(harness.bot, platform="telegram", user_id="400", user_name="Ada")
    codes = set()
    for _ in range(3):
        [reply] = await owner.say("/link")
        codes.add(reply.parts[0].text.rsplit(" ", 1)[1])
    assert len(codes) == 3  # from `secrets`, not the bot's seeded generator
    code = codes.pop()
    guesser = Harness(harness.bot, platform="discord", user_id="500", user_name="Eve")
    for guess in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "short", "DDDDDDDD"):
        assert keys(await guesser.say(f"/link {guess}")) == ["link.bad"]
    # The sixth try is refused before the code is even looked at, the right one included.
    assert keys(await guesser.say(f"/link {code}")) == ["link.too_many"]
    clock.advance(minutes=16)  # the window has passed (and the code expired: make a new one)
    [reply] = await owner.say("/link")
    assert keys(await guesser.say(f"/link {reply.parts[0].text.rsplit(' ', 1)[1]}")) == ["link.done"]
