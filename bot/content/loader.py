"""Loading and checking decks: every problem is reported with its file and line.

`load_bank` is the start-up path: fast when the bank is clean, and it refuses a broken bank
(raising ContentError with every problem) rather than serving half of it. `check_path`
is what `studybot content check` runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.content import cache, generic_aliases, misconceptions
from bot.content.bank import Bank
from bot.content.misconceptions import misconception_problems
from bot.content.retired import FILE as RETIRED_FILE
from bot.content.retired import Retired, read_retired
from bot.content.schema import LANGS, Deck, Question, Topic
from bot.content.similarity import alias_problems, near_duplicates
from bot.content.stats import WIDE_MARGIN, longest_by_wide_margin
from bot.content.yamlmap import Located, YamlSyntaxError, load_fast, parse_located

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "content"
CHOICE_LENGTH_RULE = "choice-length"
# Rules whose problems can be listed alone (`content check --only RULE`).
CHECK_RULES = (generic_aliases.RULE, misconceptions.RULE, misconceptions.CLAIM_RULE, CHOICE_LENGTH_RULE)


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    # Which rule found it, for the rules a caller may list alone (`content check --only RULE`).
    rule: str = field(default="", compare=False)
    # A warning is shown but passes the check: worth a look, not wrong.
    warning: bool = field(default=False, compare=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {'warning: ' if self.warning else ''}{self.message}"


class ContentError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        first = "; ".join(str(p) for p in self.problems[:3])
        more = f" (and {len(self.problems) - 3} more)" if len(self.problems) > 3 else ""
        super().__init__(f"the question bank has {len(self.problems)} problem(s): {first}{more}")


@dataclass(frozen=True)
class _Parsed:
    questions: tuple[Question, ...]
    lines: dict[str, int]  # question id -> line of its entry
    problems: tuple[Problem, ...]
    # question id -> where its entry is, for problems found across decks
    located: dict[str, tuple[Located, tuple[str | int, ...]]] = field(default_factory=dict)


def deck_files(path: Path) -> list[Path]:
    """The deck files at `path`: the file itself, or every *.yaml / *.yml below a folder."""
    if path.is_file():
        return [path]
    if (path / "questions").is_dir():
        path = path / "questions"
    return sorted(p for p in path.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(path: Path) -> tuple[str | None, Problem | None]:
    try:
        return path.read_text(encoding="utf-8"), None
    except UnicodeDecodeError as exc:
        return None, Problem(_display(path), 1, f"not UTF-8 text ({exc.reason})")
    except OSError as exc:
        return None, Problem(_display(path), 1, f"cannot read: {exc.strerror}")


def _loc_label(loc: Iterable[str | int]) -> str:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    return ".".join(parts)


def _parse_deck(path: Path, text: str) -> _Parsed:
    shown = _display(path)
    try:
        located = parse_located(text)
    except YamlSyntaxError as exc:
        return _Parsed((), {}, (Problem(shown, exc.line, exc.message),))
    problems = [Problem(shown, line, msg) for line, msg in located.problems]
    data = located.value
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        problems.append(Problem(shown, 1, "a deck is a mapping with a `questions:` list"))
        return _Parsed((), {}, tuple(problems))
    questions: list[Question] = []
    lines: dict[str, int] = {}
    found: dict[str, tuple[Located, tuple[str | int, ...]]] = {}
    for index, raw in enumerate(data["questions"]):
        where = ("questions", index)
        try:
            q = Question.model_validate(raw)
        except ValidationError as exc:
            problems.extend(_validation_problems(shown, located, where, raw, exc))
            continue
        questions.append(q)
        lines.setdefault(q.id, located.line_of(where))
        found.setdefault(q.id, (located, where))
        problems.extend(
            Problem(shown, located.line_of((*where, "key_points", n, "aliases", lang, i)), message)
            for n, lang, i, message in alias_problems(q)
        )
        problems.extend(
            Problem(
                shown,
                located.line_of((*where, *path)),
                message,
                rule=rule,
            )
            for path, message, rule in misconception_problems(q)
        )
        problems.extend(_choice_warnings(shown, located, where, q))
    extra = set(data) - {"questions"}
    for key in sorted(extra, key=str):
        problems.append(Problem(shown, located.line_of((key,)), f"unknown top-level key {key!r}"))
    return _Parsed(tuple(questions), lines, tuple(problems), found)


def _choice_warnings(shown: str, located: Located, where: tuple[str | int, ...], q: Question) -> list[Problem]:
    out = []
    for lang in LANGS:
        ratio = longest_by_wide_margin(q, lang)
        if ratio is not None:
            message = (
                f"question {q.id!r}: the correct {lang} option is the longest, {ratio:.1f}x the distractors' mean "
                f"length (warned from {WIDE_MARGIN}x): a guesser picks it on sight; shorten it or lengthen the others"
            )
            line = located.line_of((*where, "choice", "correct", lang))
            out.append(Problem(shown, line, message, rule=CHOICE_LENGTH_RULE, warning=True))
    return out


def _validation_problems(
    shown: str, located: Located, where: tuple[str | int, ...], raw: Any, exc: ValidationError
) -> list[Problem]:
    qid = raw.get("id") if isinstance(raw, dict) else None
    label = f"question {qid!r}" if isinstance(qid, str) else f"question #{where[-1]}"
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = _loc_label(loc) or "entry"
        msg = err["msg"]
        if err["type"] == "missing":
            msg = "missing"
        elif err["type"] == "extra_forbidden":
            msg = "unknown field (a typo?)"
        out.append(Problem(shown, located.line_of((*where, *loc)), f"{label}: {field}: {msg}"))
    return out


def load_topics(root: Path) -> tuple[tuple[Topic, ...], list[Problem]]:
    path = root / "topics.yaml"
    if not path.exists():
        return (), [Problem(_display(path), 1, "topics.yaml is missing")]
    text, problem = _read(path)
    if problem is not None or text is None:
        return (), [problem] if problem else []
    try:
        located = parse_located(text)
    except YamlSyntaxError as exc:
        return (), [Problem(_display(path), exc.line, exc.message)]
    if not isinstance(located.value, list):
        return (), [Problem(_display(path), 1, "topics.yaml is a list of topics")]
    topics, problems = [], []
    for i, raw in enumerate(located.value):
        try:
            topics.append(Topic.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                line = located.line_of((i, *err["loc"]))
                problems.append(Problem(_display(path), line, f"topic: {_loc_label(err['loc'])}: {err['msg']}"))
    return tuple(topics), problems


def check_path(path: Path, root: Path = DEFAULT_ROOT) -> tuple[list[Question], list[Problem]]:
    """Every problem in the decks at `path`, judged against the topics (and other answers) of `root`."""
    topics, problems = load_topics(root)
    topic_ids = {t.id for t in topics}
    retired = read_retired(root)
    files = deck_files(path)
    if not files:
        problems.append(Problem(_display(path), 1, "no deck files (*.yaml) found here"))
    questions: list[Question] = []
    where: dict[str, tuple[str, int]] = {}
    located: dict[str, tuple[str, Located, tuple[str | int, ...]]] = {}
    for file in files:
        text, problem = _read(file)
        if problem is not None or text is None:
            problems.extend([problem] if problem else [])
            continue
        parsed = _parse_deck(file, text)
        problems.extend(parsed.problems)
        shown = _display(file)
        for q in parsed.questions:
            line = parsed.lines[q.id]
            if q.id in where:
                first = where[q.id]
                problems.append(Problem(shown, line, f"duplicate id {q.id!r} (first at {first[0]}:{first[1]})"))
                continue
            where[q.id] = (shown, line)
            located[q.id] = (shown, *parsed.located[q.id])
            questions.append(q)
            if topic_ids and q.topic not in topic_ids:
                problems.append(Problem(shown, line, f"question {q.id!r}: unknown topic {q.topic!r}"))
            if q.id in retired.ids:
                problems.append(Problem(shown, line, f"question {q.id!r}: id is retired (retired_ids.txt)"))
    for a, b, lang in near_duplicates(questions):
        f, line = where[b.id]
        problems.append(
            Problem(f, line, f"question {b.id!r} repeats {a.id!r} ({lang} prompts nearly identical): merge them")
        )
    # An alias is judged against every model answer of the bank, even when one deck is checked.
    others = [q for q in _bank_questions(root, set(files)) if q.id not in where]
    for qid, n, lang, i, message in generic_aliases.generic_alias_problems([*questions, *others]):
        if qid in located:
            shown, doc, at = located[qid]
            line = doc.line_of((*at, "key_points", n, "aliases", lang, i))
            problems.append(Problem(shown, line, message, rule=generic_aliases.RULE))
    problems.extend(_retired_problems(root, retired, {*where, *(q.id for q in others)}))
    return questions, sorted(set(problems))


def _retired_problems(root: Path, retired: Retired, live: set[str]) -> list[Problem]:
    """Every `old -> kept` must lead to a question of the bank, or learners' progress would be lost."""
    shown = _display(root / RETIRED_FILE)
    out = [Problem(shown, n, f"expected `old` or `old -> kept`, not {text!r}") for n, text in retired.malformed]
    for old, kept in sorted(retired.successors.items()):
        if kept not in live:
            why = "is retired too (a cycle?)" if kept in retired.ids else "is not a question of the bank"
            out.append(Problem(shown, retired.lines[old], f"retired id {old!r} -> {kept!r}: {kept!r} {why}"))
    return out


def _bank_questions(root: Path, skip: set[Path]) -> list[Question]:
    """The valid questions of the bank at `root` outside `skip` (broken entries are left out)."""
    out: list[Question] = []
    resolved = {p.resolve() for p in skip}
    for file in deck_files(root):
        if file.resolve() in resolved:
            continue
        try:
            raw = load_fast(file.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError, YamlSyntaxError):
            continue  # reported when that deck itself is checked
        for entry in raw.get("questions") or () if isinstance(raw, dict) else ():
            try:
                out.append(Question.model_validate(entry))
            except ValidationError:
                continue
    return out


def load_bank(root: Path = DEFAULT_ROOT, cache_dir: Path | None = None) -> Bank:
    """The whole bank, validated; raises ContentError naming every problem if it is broken.

    With `cache_dir`, a bank validated before from the very same files is read from there
    (see bot.content.cache), and a freshly validated one is stored for the next start.
    """
    files = deck_files(root)
    if cache_dir is None:
        return _parse_bank(root, files)
    key = cache.content_key(root, files)
    cached = cache.read(cache_dir, key)
    if cached is not None:
        return Bank(topics=cached.topics, questions=cached.questions, successors=read_retired(root).successors)
    bank = _parse_bank(root, files)
    cache.write(cache_dir, key, cache.CachedBank(topics=bank.topics, questions=bank.questions))
    return bank


def _parse_bank(root: Path, files: list[Path]) -> Bank:
    topics: tuple[Topic, ...] = ()
    questions: list[Question] = []
    try:
        topics = tuple(Topic.model_validate(t) for t in load_fast((root / "topics.yaml").read_text("utf-8")))
        seen: set[str] = set()
        topic_ids = {t.id for t in topics}
        for file in files:
            deck = Deck.model_validate(load_fast(file.read_text("utf-8")))
            for q in deck.questions:
                if q.id in seen or q.topic not in topic_ids:
                    raise ValueError("duplicate id or unknown topic")
                seen.add(q.id)
                questions.append(q)
    except Exception:
        # Slow path: say exactly what is wrong, with files and lines.
        _, found = check_path(root, root)
        # Rules about quality (give-away aliases, over-broad patterns) never stop the bot; broken content does.
        problems = [p for p in found if p.rule not in CHECK_RULES]
        if problems:
            raise ContentError(problems) from None
        raise
    return Bank(topics=topics, questions=tuple(questions), successors=read_retired(root).successors)
