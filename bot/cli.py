"""`studybot`: run the bot, chat in the terminal, grade answers in bulk, check content."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from bot.content.loader import CHECK_RULES, DEFAULT_ROOT, ContentError

if TYPE_CHECKING:
    from bot.loading import LoadingNotice
    from bot.settings import Settings


def _settings() -> Settings:
    from bot.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        # One line, naming the setting; never the value (it may be a token).
        errors = exc.errors()
        names = [str(e["loc"][0]).upper() if e["loc"] else "a setting" for e in errors]
        more = f" (also: {', '.join(dict.fromkeys(names[1:]))})" if len(errors) > 1 else ""
        raise SystemExit(f"studybot: bad setting {names[0]}: {errors[0]['msg']}{more}") from None


def _logging(settings: Settings, level: str | None = None) -> None:
    from bot.logging_setup import configure_from

    configure_from(settings, level)


def cmd_content_check(args: argparse.Namespace) -> int:
    from bot.content.loader import check_path

    target = Path(args.path) if args.path else DEFAULT_ROOT
    if not target.exists():
        print(f"{target}: no such file or folder", file=sys.stderr)
        return 2
    questions, problems = check_path(target, DEFAULT_ROOT)
    if args.only:
        problems = [p for p in problems if p.rule in args.only]
    for p in problems:
        print(p)
    failing = [p for p in problems if not p.warning]
    warned = f", {len(problems) - len(failing)} warning(s)" if len(failing) < len(problems) else ""
    print(f"{len(questions)} questions checked, {len(failing)} problem(s){warned}", file=sys.stderr)
    return 1 if failing else 0


def cmd_content_stats(args: argparse.Namespace) -> int:
    from bot.content.loader import check_path, load_topics
    from bot.content.stats import bank_stats, format_stats

    questions, found = check_path(DEFAULT_ROOT, DEFAULT_ROOT)
    problems = [p for p in found if not p.warning]
    topics, _ = load_topics(DEFAULT_ROOT)
    stats = bank_stats(questions, topics)
    if args.json:
        stats["problems"] = len(problems)
        stats["warnings"] = len(found) - len(problems)
        print(json.dumps(stats, ensure_ascii=False, indent=2))
    else:
        print(format_stats(stats))
        if problems:
            print(f"\n{len(problems)} problem(s): run `studybot content check`", file=sys.stderr)
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from bot.bootstrap import default_grader
    from bot.core.grading import warmup
    from bot.grading_batch import grade_file

    grader = default_grader()
    warmup.freeze()  # as at the bot's start-up: the garbage collector stays out of the grades (GEN0_THRESHOLD)
    if not args.judge:
        return grade_file(args.input, sys.stdout, progress=not args.quiet, grader=grader)
    from bot.judging.build import judge_from

    settings = _settings()
    _logging(settings, "WARNING")
    judge = judge_from(settings, grader)
    if judge is None:
        print("studybot grade --judge: set STUDYBOT_JUDGE_URL (and STUDYBOT_JUDGE_MODEL) first", file=sys.stderr)
        return 2
    return grade_file(args.input, sys.stdout, progress=not args.quiet, grader=grader, judge=judge)


def _loading(lang: str | None) -> LoadingNotice | None:
    """A "loading…" line if a person at a terminal waits long for the first prompt (piped runs: none)."""
    if not sys.stdin.isatty():
        return None
    from bot.core.i18n import t
    from bot.loading import LoadingNotice

    return LoadingNotice(t(lang or "en", "startup.loading")).start()


def cmd_chat(args: argparse.Namespace) -> int:
    notice = _loading(args.lang)
    settings = _settings()
    _logging(settings, "WARNING")
    return asyncio.run(_chat(settings, args.user, args.lang, args.group, notice))


async def _chat(
    settings: Settings, user: str, lang: str | None, group: str | None, notice: LoadingNotice | None = None
) -> int:
    from bot.adapters.terminal import TerminalChat
    from bot.bootstrap import bootstrap, terminal_adapter
    from bot.launcher import run_terminal

    terminal = terminal_adapter(settings, user=user, locale=lang, group=group)
    async with bootstrap(settings, adapters=[terminal]) as system:
        [chat] = system.adapters
        assert isinstance(chat, TerminalChat)
        await run_terminal(system, chat, notice.done if notice else None)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    notice = None if args.no_terminal else _loading(None)
    settings = _settings()
    if args.no_terminal and settings.telegram_bot_token is None and settings.discord_bot_token is None:
        raise SystemExit(
            "studybot: missing setting TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN: "
            "`run --no-terminal` needs at least one platform token"
        )
    _logging(settings)
    from bot.launcher import launch

    return asyncio.run(launch(settings, notice.done if notice else None))


def cmd_health(args: argparse.Namespace) -> int:
    settings = _settings()
    _logging(settings, "ERROR")
    from bot.health import check

    health = check(settings)
    for problem in health.problems:
        print(f"studybot health: {_redact(problem)}", file=sys.stderr)
    if health.ok:
        print("ok: " + ", ".join(health.facts))
    return 0 if health.ok else 1


def cmd_db_backup(args: argparse.Namespace) -> int:
    settings = _settings()
    _logging(settings)
    from bot.storage.backup import BackupError, backup_sqlite, refuse_unless_sqlite

    try:
        result = backup_sqlite(refuse_unless_sqlite(settings.storage_url), Path(args.path))
    except BackupError as exc:
        print(f"studybot: {exc}", file=sys.stderr)
        return 2
    print(f"backed up {result.pages} pages ({result.bytes} bytes) to {result.path}")
    return 0


def cmd_db_migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    _logging(settings)

    async def go() -> str:
        from bot.storage.migrate import current_revision, upgrade
        from bot.storage.store import make_engine

        engine = make_engine(settings.storage_url)
        try:
            await upgrade(engine)
            return str(await current_revision(engine))
        finally:
            await engine.dispose()

    print(f"database at revision {asyncio.run(go())}")
    return 0


def cmd_appeals(args: argparse.Namespace) -> int:
    settings = _settings()
    _logging(settings, "WARNING")
    from bot.appeals_report import appeals_report

    print(asyncio.run(appeals_report(settings, as_json=args.json)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="studybot", description="Drill LLM interview questions.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("run", help="start every platform whose token is set (the terminal chat if none)")
    p.add_argument(
        "--no-terminal",
        action="store_true",
        help="fail instead of starting the terminal chat when no token is set (services, containers)",
    )
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("health", help="exit 0 when the question bank loads and the database answers (health checks)")
    p.set_defaults(func=cmd_health)

    p = sub.add_parser("chat", help="chat with the bot in this terminal (interactive or piped)")
    p.add_argument("--user", default="you", help="your name in the chat (progress is kept per name)")
    p.add_argument("--lang", choices=["en", "zh"], default=None, help="language of the bot's replies")
    p.add_argument(
        "--group",
        metavar="ROOM",
        default=None,
        help="play a group round in room ROOM; `/as NAME` switches who is typing",
    )
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("grade", help="grade a JSON-lines file of answers; writes JSON lines to stdout")
    p.add_argument("input", help="JSON lines with question, reference, answer (optional lang, key_points); - for stdin")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--judge", action="store_true", help="grade through the LLM judge of STUDYBOT_JUDGE_URL (offline fallback)"
    )
    p.set_defaults(func=cmd_grade)

    content = sub.add_parser("content", help="check the question bank or show its statistics")
    csub = content.add_subparsers(dest="content_command", metavar="ACTION", required=True)
    p = csub.add_parser("check", help="validate the bank (or PATH); every problem as file:line")
    p.add_argument("path", nargs="?", help="a deck file or folder (default: the bank)")
    p.add_argument("--only", action="append", default=[], choices=CHECK_RULES, help="report only this rule's problems")
    p.set_defaults(func=cmd_content_check)
    p = csub.add_parser("stats", help="counts by topic, difficulty and completeness")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_content_stats)

    p = sub.add_parser("appeals", help="learners' appeals against grades, by question, newest first")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_appeals)

    db = sub.add_parser("db", help="database maintenance")
    dsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    p = dsub.add_parser("migrate", help="apply pending schema migrations (idempotent)")
    p.set_defaults(func=cmd_db_migrate)
    p = dsub.add_parser("backup", help="copy the SQLite database to PATH while the bot runs (online backup)")
    p.add_argument("path", metavar="PATH", help="the new backup file (never overwritten)")
    p.set_defaults(func=cmd_db_backup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print("studybot: the question bank is broken; fix it (studybot content check) and start again", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one redacted line for the operator, the traceback in the (redacted) log
        if logging.getLogger().handlers:  # commands that set up logging keep the traceback there
            logging.getLogger("studybot").critical("stopped by %s", type(exc).__name__, exc_info=True)
        print(f"studybot: {type(exc).__name__}: {_redact(str(exc))}", file=sys.stderr)
        return 1


def _redact(text: str) -> str:
    from bot.logging_setup import redact

    return redact(text)


if __name__ == "__main__":
    sys.exit(main())
