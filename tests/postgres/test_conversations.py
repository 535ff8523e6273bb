"""Any replica may take any update: the conversation's state is in the database, not a process.

Behind a load balancer (Telegram webhooks), one message of a chat reaches replica A and the next
replica B. These tests ask on one replica and answer on another, and send the same answer to
two replicas at the same instant: it must be graded once (tests run on SQLite and PostgreSQL).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy import func, select

from bot.core.app import StudyBot
from bot.core.events import ChatKind
from bot.storage.store import SqlStore
from bot.storage.tables import answers, identities, learners
from tests.harness import Harness, keys


def on(harness: Harness, bot: StudyBot) -> Harness:
    """The same person in the same chat, whose next update reaches another replica."""
    return replace(harness, bot=bot, history=[])


async def count(bot: StudyBot, table: object, *where: object) -> int:
    async with bot.store.engine.connect() as conn:  # type: ignore[attr-defined]
        return int(await conn.scalar(select(func.count()).select_from(table).where(*where)))  # type: ignore[arg-type]


async def test_asked_on_one_replica_graded_on_another(replicas: list[StudyBot]) -> None:
    a, b, c = replicas
    ada = Harness(a)
    [question] = await ada.say("/quiz")
    q = ada.question_of(question)
    [graded] = await on(ada, b).say(q.answer.en)  # type: ignore[union-attr]
    assert graded.parts[0].key == "grade.score" and q.prompt.en not in graded.plain()
    assert keys(await on(ada, c).say(q.answer.en)) == ["quiz.no_open"]  # type: ignore[union-attr]
    assert await count(a, answers) == 1


async def test_a_group_round_across_replicas(replicas: list[StudyBot]) -> None:
    a, b, c = replicas
    group = Harness(a, user_id="s", user_name="Starter", chat_id="g", chat_kind=ChatKind.GROUP)
    [question] = await group.say("/quiz")
    q = group.question_of(question)
    await on(group.as_user("ada", "Ada"), b).say(q.answer.en, addressed=True)  # type: ignore[union-attr]
    await on(group.as_user("bob", "Bob"), c).say("bananas are yellow", addressed=True)
    [summary] = await on(group.as_user("x", "Admin", is_admin=True), a).say("/reveal")
    assert summary.keys[0] == "round.closed" and "2 answers" in summary.plain()
    assert summary.plain().index("Ada") < summary.plain().index("Bob")


async def test_the_same_answer_at_two_replicas_at_once_is_graded_once(replicas: list[StudyBot]) -> None:
    a, b, _ = replicas
    ada = Harness(a)
    [question] = await ada.say("/quiz")
    q = ada.question_of(question)
    first, second = await asyncio.gather(*(on(ada, bot).say(q.answer.en) for bot in (a, b)))  # type: ignore[union-attr]
    assert sorted([keys(first)[0], keys(second)[0]]) == ["grade.score", "quiz.no_open"]
    assert await count(a, answers) == 1


async def test_a_new_users_first_two_messages_at_two_replicas_make_one_learner(replicas: list[StudyBot]) -> None:
    a, b, c = replicas
    newcomer = Harness(a, user_id="new", user_name="Newcomer")
    replies = await asyncio.gather(*(on(newcomer, bot).say("/help") for bot in (a, b, c)))
    assert all(r and r[0].kind.value != "error" for r in replies), [keys(r) for r in replies]
    assert await count(a, identities, identities.c.external_id == "new") == 1
    assert await count(a, learners) == 1


def test_replicas_have_their_own_connections(replicas: list[StudyBot]) -> None:
    engines = {id(bot.store.engine) for bot in replicas}  # type: ignore[attr-defined]
    assert len(engines) == len(replicas) and all(isinstance(bot.store, SqlStore) for bot in replicas)
