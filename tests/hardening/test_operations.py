"""Operating the bot: `db backup`, `db migrate` from every earlier schema, `health`, and start-up failures
that name the setting."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.migrate import alembic_config, current_revision, head_revision, upgrade
from bot.storage.store import make_engine, sqlite_url
from bot.storage.tables import metadata
from tests.hardening.processes import bot_env, query


def studybot(args: list[str], tmp_path: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=bot_env(tmp_path, **env),
        timeout=120,
        cwd=tmp_path,
    )


def migrate_to(db: Path, revision: str) -> None:
    """A database at an earlier schema, as an older studybot left it."""

    async def go() -> None:
        engine = make_engine(sqlite_url(db))
        try:
            await upgrade(engine, revision)
        finally:
            await engine.dispose()

    asyncio.run(go())


def revisions() -> list[str]:
    """Every revision, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


# -- db backup ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_backup_while_the_bot_writes_is_a_consistent_restorable_copy(tmp_path: Path) -> None:
    env = bot_env(tmp_path)
    out = tmp_path / "chat.out"
    with out.open("w") as sink:
        writer = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--user", "ops"],
            stdin=subprocess.PIPE,
            stdout=sink,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=tmp_path,
            text=True,
        )
        assert writer.stdin is not None
        try:
            writer.stdin.write("/quiz\nattention mixes values weighted by query-key similarity\n" * 400)
            writer.stdin.flush()
            deadline = time.monotonic() + 120
            while "== Score:" not in out.read_text() and time.monotonic() < deadline:
                time.sleep(0.05)  # until the database exists and is being written
            backups = [studybot(["db", "backup", str(tmp_path / "backups" / f"b{i}.db")], tmp_path) for i in range(3)]
        finally:
            writer.stdin.close()
            writer.wait(timeout=300)
    assert writer.returncode == 0
    for i, result in enumerate(backups):
        assert result.returncode == 0, result.stderr
        copy = tmp_path / "backups" / f"b{i}.db"
        assert f"to {copy}" in result.stdout
        assert query(copy, "PRAGMA integrity_check") == [("ok",)]
        assert query(copy, "PRAGMA journal_mode") == [("delete",)]  # one self-contained file
        assert not copy.with_name(copy.name + "-wal").exists()
    counts = [query(tmp_path / "backups" / f"b{i}.db", "SELECT count(*) FROM answers")[0][0] for i in range(3)]
    live = query(tmp_path / "data" / "studybot.db", "SELECT count(*) FROM answers")[0][0]
    assert 0 < counts[0] <= counts[1] <= counts[2] <= live == 400  # type: ignore[operator]
    # Restore = point the bot at the copy: progress is there, and the schema needs nothing.
    restored = studybot(["chat", "--user", "ops"], tmp_path, "/stats\n", STUDYBOT_DB=str(tmp_path / "backups/b2.db"))
    assert restored.returncode == 0 and f"{counts[2]}" in restored.stdout
    assert studybot(["health"], tmp_path, STUDYBOT_DB=str(tmp_path / "backups/b2.db")).returncode == 0


def test_backup_refuses_to_overwrite_and_needs_a_database(tmp_path: Path) -> None:
    missing = studybot(["db", "backup", str(tmp_path / "b.db")], tmp_path)
    assert missing.returncode == 2 and "no database there yet" in missing.stderr
    assert studybot(["db", "migrate"], tmp_path).returncode == 0
    (tmp_path / "taken.db").write_text("precious")
    taken = studybot(["db", "backup", str(tmp_path / "taken.db")], tmp_path)
    assert taken.returncode == 2 and "already exists" in taken.stderr
    assert (tmp_path / "taken.db").read_text() == "precious"
    assert not list(tmp_path.glob(".*.partial"))


def test_backup_refuses_postgresql_and_points_to_pg_dump(tmp_path: Path) -> None:
    result = studybot(
        ["db", "backup", str(tmp_path / "b.db")],
        tmp_path,
        STUDYBOT_DATABASE_URL="postgresql+asyncpg://bot:hunter2@127.0.0.1:5432/studybot",
    )
    assert result.returncode == 2
    assert "pg_dump" in result.stderr and "hunter2" not in result.stderr + result.stdout
    assert not (tmp_path / "b.db").exists()


# -- db migrate -----------------------------------------------------------------------------------


def _schema(engine_sync_conn: object) -> dict[str, set[str]]:
    inspector = inspect(engine_sync_conn)
    return {
        t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names() if t != "alembic_version"
    }


async def _schema_of(engine: AsyncEngine) -> dict[str, set[str]]:
    async with engine.connect() as conn:
        return await conn.run_sync(_schema)


@pytest.mark.parametrize("start", revisions()[:-1])
async def test_migrate_from_every_earlier_revision_reaches_the_model_and_keeps_data(tmp_path: Path, start: str) -> None:
    engine = make_engine(sqlite_url(tmp_path / "old.db"))
    try:
        await upgrade(engine, start)
        assert await current_revision(engine) == start
        async with engine.begin() as conn:  # a learner from the old days, written with that schema's columns
            await conn.exec_driver_sql(
                "INSERT INTO learners (id, name, lang, lang_set, tz, created_at) "
                "VALUES (7, 'Old Timer', 'zh', 1, 'Asia/Shanghai', '2026-01-01 00:00:00.000000')"
            )
        await upgrade(engine)
        await upgrade(engine)  # idempotent
        assert await current_revision(engine) == head_revision()
        schema = await _schema_of(engine)
        model = {t.name: {c.name for c in t.columns} for t in metadata.sorted_tables}
        assert schema == model  # the migration chain builds exactly what bot/storage/tables.py describes
        async with engine.connect() as conn:
            row = (await conn.exec_driver_sql("SELECT name, lang, tz FROM learners WHERE id = 7")).one()
        assert tuple(row) == ("Old Timer", "zh", "Asia/Shanghai")
    finally:
        await engine.dispose()


@pytest.mark.slow
def test_db_migrate_command_from_the_oldest_revision_then_again(tmp_path: Path) -> None:
    migrate_to(tmp_path / "data" / "studybot.db", revisions()[0])
    first, second = studybot(["db", "migrate"], tmp_path), studybot(["db", "migrate"], tmp_path)
    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout == f"database at revision {head_revision()}\n"


# -- health ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_health_answers_for_the_database_and_the_bank(tmp_path: Path) -> None:
    # A fresh install is healthy at once: the database is created and migrated (#18).
    fresh = studybot(["health"], tmp_path)
    assert fresh.returncode == 0 and fresh.stdout.startswith("ok: ") and head_revision() in fresh.stdout, fresh.stderr
    assert (tmp_path / "data" / "studybot.db").exists()
    behind_db = tmp_path / "behind" / "studybot.db"
    migrate_to(behind_db, revisions()[0])
    caught_up = studybot(["health"], tmp_path, STUDYBOT_DB=str(behind_db))
    assert caught_up.returncode == 0 and head_revision() in caught_up.stdout  # behind: migrated, as start-up does
    ok = studybot(["health"], tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith("ok: ") and head_revision() in ok.stdout
    bank = tmp_path / "bank"
    (bank / "questions").mkdir(parents=True)
    (bank / "topics.yaml").write_text("- id: basics\n  name: {en: Basics, zh: 基础}\n", encoding="utf-8")
    (bank / "questions" / "x.yaml").write_text("questions:\n  - id: x\n    topic: basics\n", encoding="utf-8")
    broken = studybot(["health"], tmp_path, STUDYBOT_CONTENT_DIR=str(bank))
    assert broken.returncode == 1 and "x.yaml:2:" in broken.stderr


# -- start-up failures: one line, naming the setting, never its value -------------------------------


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"STUDYBOT_LOG_LEVEL": "LOUD"}, "STUDYBOT_LOG_LEVEL"),
        ({"TELEGRAM_BOT_TOKEN": "'123456:secret-with-quotes'"}, "TELEGRAM_BOT_TOKEN"),
        ({"DISCORD_BOT_TOKEN": "abc def-secret"}, "DISCORD_BOT_TOKEN"),
        ({"TELEGRAM_WEBHOOK_PORT": "99999"}, "TELEGRAM_WEBHOOK_PORT"),
        ({"TELEGRAM_API_BASE_URL": "api.telegram.org/bot"}, "TELEGRAM_API_BASE_URL"),
        ({"DISCORD_GATEWAY_URL": "gateway.discord.gg"}, "DISCORD_GATEWAY_URL"),
        ({"STUDYBOT_ANSWERS_PER_MINUTE": "-3"}, "STUDYBOT_ANSWERS_PER_MINUTE"),
        ({"STUDYBOT_STOP_TIMEOUT": "soon"}, "STUDYBOT_STOP_TIMEOUT"),
        ({"STUDYBOT_SQLITE_SYNCHRONOUS": "OFF"}, "STUDYBOT_SQLITE_SYNCHRONOUS"),
    ],
)
def test_a_malformed_setting_stops_run_with_one_line_naming_it(tmp_path: Path, env: dict[str, str], name: str) -> None:
    result = studybot(["run"], tmp_path, **env)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"studybot: bad setting {name}:"), result.stderr
    assert "secret" not in result.stderr  # the value (maybe a token) is never repeated
    assert not (tmp_path / "data").exists()  # nothing was started


def test_run_without_a_terminal_needs_a_platform_token(tmp_path: Path) -> None:
    result = studybot(["run", "--no-terminal"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "studybot: missing setting TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN: `run --no-terminal` needs at least "
        "one platform token"
    ]


def test_a_broken_env_file_value_is_named_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("STUDYBOT_ROUND_MINUTES=forever\n", encoding="utf-8")
    result = studybot(["run"], tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("studybot: bad setting STUDYBOT_ROUND_MINUTES:")
