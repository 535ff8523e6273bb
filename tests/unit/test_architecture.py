"""The one-way rules of the layout, checked on the source.

- The core imports no platform, storage, scheduler or rendering library, and writes no files.
- Only bot/bootstrap.py constructs the core's collaborators (the core, its store, clock, grader,
  limiter, services, the adapters, the daily service and the scheduler): wiring lives in one place.
- Adapters name no catalog key: what they need to know about a reply is a flag on it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.core.i18n import catalog

BOT = Path(__file__).resolve().parents[2] / "bot"
CORE = BOT / "core"
ADAPTERS = BOT / "adapters"
FORBIDDEN = ("telegram", "discord", "aiosqlite", "apscheduler", "sqlalchemy", "asyncpg", "alembic", "aiohttp")
# Drawing and packing (charts, decks) happen behind the Renderer port, in bot/rendering.
NO_IO_IN_CORE = ("matplotlib", "genanki", "tempfile")
LIBRARIES_NOT_LOADED = ("matplotlib", "genanki")  # (the standard library loads tempfile itself)
COLLABORATORS = frozenset(
    {
        "StudyBot",
        "Services",
        "Wakeup",
        "Limiter",
        "SystemClock",
        "KeyPointGrader",
        "SqlStore",
        "open_store",
        "load_bank",
        "DailyService",
        "Scheduler",
        "TelegramAdapter",
        "DiscordAdapter",
        "TerminalChat",
        "LocalRenderer",
    }
)
# Modules that may build one anyway, and why.
BUILDS_ALLOWED = {
    "bootstrap.py": "the one place that wires the bot",
    "storage/store.py": "open_store returns the SqlStore it opened",
    "health.py": "a health check loads the bank to validate it and runs no bot",
}


def sources(root: Path) -> Iterator[tuple[str, ast.AST]]:
    for path in sorted(root.rglob("*.py")):
        yield path.relative_to(BOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def imported(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_forbidden_import_in_core_source() -> None:
    banned = FORBIDDEN + NO_IO_IN_CORE
    offenders = [f"{name}: {m}" for name, tree in sources(CORE) for m in imported(tree) if m.split(".")[0] in banned]
    assert not offenders


def test_importing_the_core_loads_none_of_them() -> None:
    code = (
        "import sys, bot.core.app, bot.core.grading, bot.core.clock;"
        f"bad=[m for m in sys.modules if m.split('.')[0] in {FORBIDDEN + LIBRARIES_NOT_LOADED!r}];"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def ours(tree: ast.AST) -> set[str]:
    """Names a module binds to studybot's own code: imported from bot.*, or defined right there."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and ((node.module or "").split(".")[0] == "bot" or node.level):
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] == "bot"}
        elif isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
    return names


def constructions(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Calls of a collaborator's class or factory from studybot's own code (fsrs has a Scheduler too)."""
    mine = ours(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in COLLABORATORS and func.id in mine:
            yield node.lineno, func.id
        elif isinstance(func, ast.Attribute) and func.attr in COLLABORATORS:
            root = func.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in mine:
                yield node.lineno, func.attr


def test_only_bootstrap_constructs_the_cores_collaborators() -> None:
    offenders = [
        f"{name}:{line}: {what}(…)"
        for name, tree in sources(BOT)
        if name not in BUILDS_ALLOWED
        for line, what in constructions(tree)
    ]
    assert not offenders, "build these in bot/bootstrap.py and hand them over:\n" + "\n".join(offenders)


def test_the_check_would_catch_a_construction() -> None:
    code = (
        "from bot.core.app import StudyBot\nfrom bot.adapters import terminal\nfrom fsrs import Scheduler\n"
        "bot = StudyBot(store, clock, services, limiter)\nchat = terminal.TerminalChat(bot)\nfsrs = Scheduler()\n"
    )
    assert sorted(what for _, what in constructions(ast.parse(code))) == ["StudyBot", "TerminalChat"]


def _catalog_names(tree: ast.AST, keys: set[str], prefixes: set[str]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in keys:
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str) and head.value in prefixes:
                yield node.lineno, head.value + "{…}"
        elif isinstance(node, ast.ImportFrom) and node.module == "bot.core.i18n":
            for alias in node.names:
                if alias.name in {"t", "catalog"}:
                    yield node.lineno, f"bot.core.i18n.{alias.name}"


def test_adapters_name_no_catalog_key() -> None:
    keys = set(catalog("en")) | set(catalog("zh"))
    prefixes = {key.split(".")[0] + "." for key in keys}
    offenders = [
        f"{name}:{line}: {what}"
        for name, tree in sources(ADAPTERS)
        for line, what in _catalog_names(tree, keys, prefixes)
    ]
    assert not offenders, "give Reply or Part a flag, or ask bot.core.labels, instead:\n" + "\n".join(offenders)


def test_the_catalog_check_would_catch_a_key() -> None:
    tree = ast.parse('from bot.core.i18n import t\nSTALE = {"mc.stale"}\nlabel = f"cmd.{name}"\n')
    found = [what for _, what in _catalog_names(tree, {"mc.stale", "cmd.quiz"}, {"mc.", "cmd."})]
    assert sorted(found) == ["bot.core.i18n.t", "cmd.{…}", "mc.stale"]
