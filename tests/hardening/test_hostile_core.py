"""The hostile corpus through the core: `StudyBot.handle` (via the harness) on a real SQLite file.

Conversations of hostile messages, commands with hostile arguments and forged button presses,
from people with hostile names and locales, in private chats and in a group. Nothing may fail
inside the core (it would answer `error.internal`), and every reply must render safely on every
platform. The database keeps state across examples, as a long-lived bot's does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.content.bank import Bank
from bot.core.app import StudyBot
from bot.core.clock import FakeClock
from bot.core.events import ChatKind
from bot.storage.store import SqlStore, open_store, sqlite_url
from bot.storage.tables import learners
from tests.hardening.hostile import (
    CORPUS,
    LOCALES,
    action,
    check_everywhere,
    command_line,
    corpus,
    hostile_name,
    hostile_text,
    with_surrogates,
)
from tests.harness import Harness
from tests.wiring import system


class CoreEnv:
    def __init__(self, runner: asyncio.Runner, bot: StudyBot, clock: FakeClock, store: SqlStore) -> None:
        self.runner, self.bot, self.clock, self.store = runner, bot, clock, store
        self.errors: list[logging.LogRecord] = []


class _Collect(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@pytest.fixture(scope="module")
def core(bank: Bank, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CoreEnv]:
    runner = asyncio.Runner()
    path: Path = tmp_path_factory.mktemp("hostile") / "studybot.db"
    store = runner.run(open_store(sqlite_url(path)))
    clock = FakeClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    env = CoreEnv(runner, system(bank, store, clock, seed=11).bot, clock, store)
    handler = _Collect(env.errors)
    logging.getLogger("bot").addHandler(handler)
    try:
        yield env
    finally:
        logging.getLogger("bot").removeHandler(handler)
        runner.run(store.close())
        runner.close()


message = st.one_of(
    st.tuples(st.just("say"), hostile_text),
    st.tuples(st.just("say"), command_line()),
    st.tuples(st.just("say"), command_line()),
    st.tuples(st.just("press"), action()),
)
# A conversation usually opens a question first, so that hostile answers reach the grader.
opening = st.sampled_from(["/quiz", "/mc", "/quiz rag", "/review", "/quiz basics", ""])


def converse(env: CoreEnv, h: Harness, script: list[tuple[str, str]], in_group: bool) -> None:
    for kind, payload in script:
        CORPUS["core messages"] += 1
        if kind == "press":
            replies = env.runner.run(h.press(payload))
        else:
            replies = env.runner.run(h.say(payload, addressed=in_group))
        for r in replies:
            assert "error.internal" not in r.keys, (kind, payload[:200])
            check_everywhere(r, in_group=in_group)
    assert not env.errors, [r.getMessage() for r in env.errors]


@corpus(500)
@given(
    opening=opening,
    script=st.lists(message, min_size=1, max_size=4),
    who=st.integers(0, 3),
    name=hostile_name,
    locale=st.sampled_from(LOCALES),
    in_group=st.booleans(),
    admin=st.booleans(),
    minutes=st.integers(0, 60 * 24 * 3),
)
def test_hostile_conversations_never_fail_and_render_safely(
    core: CoreEnv,
    opening: str,
    script: list[tuple[str, str]],
    who: int,
    name: str,
    locale: str | None,
    in_group: bool,
    admin: bool,
    minutes: int,
) -> None:
    CORPUS["core"] += 1
    core.clock.advance(minutes=minutes)
    h = Harness(
        core.bot,
        platform="test",
        user_id=f"u{who}",
        user_name=name,
        chat_id="g1" if in_group else None,
        chat_kind=ChatKind.GROUP if in_group else ChatKind.PRIVATE,
        locale=locale,
        is_admin=admin,
    )
    converse(core, h, [("say", opening), *script] if opening else script, in_group)


@corpus(40)
@given(text=with_surrogates, name=st.one_of(hostile_name, with_surrogates), in_group=st.booleans())
def test_text_that_is_not_valid_unicode_is_refused_or_stored_not_crashed(
    core: CoreEnv, text: str, name: str, in_group: bool
) -> None:
    """Lone surrogates (a JSON update may carry "\\ud800") cannot be written as UTF-8 by SQLite."""
    CORPUS["core surrogates"] += 1
    h = Harness(
        core.bot,
        platform="test",
        user_id="s1",
        user_name=name,
        chat_id="g2" if in_group else None,
        chat_kind=ChatKind.GROUP if in_group else ChatKind.PRIVATE,
        is_admin=True,
    )
    converse(
        core, h, [("say", "/quiz"), ("say", text), ("say", "/daily " + text), ("say", "/appeal " + text)], in_group
    )


def test_the_database_took_hostile_names_verbatim(core: CoreEnv) -> None:
    """Names went in as data (bound parameters), not as SQL: the learners table is still there and readable."""

    async def count() -> int:
        async with core.store.transaction() as tx:
            return int((await tx.conn.execute(select(func.count()).select_from(learners))).scalar_one())

    h = Harness(core.bot, platform="test", user_id="sql", user_name="Robert'); DROP TABLE learners;--")
    core.runner.run(h.say("/start"))
    assert core.runner.run(count()) >= 1
