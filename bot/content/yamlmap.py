"""YAML parsing that remembers where every value came from.

PyYAML's constructed objects forget their position; the composed node tree does not. We
build plain Python objects from the node tree ourselves and keep a map from each value's
path (("questions", 3, "key_points", 0)) to its 1-based line, so a schema error can be
reported as `file:line`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C composer is several times faster; fall back when libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    """The Python value of a document, each path's line, and structural problems found."""

    value: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)

    def line_of(self, path: Path_) -> int:
        """The line of the deepest ancestor of `path` that has one."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return 1


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse_located(text: str) -> Located:
    """Parse one YAML document; raise YamlSyntaxError (with its line) when it is not YAML."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        # The construct left open (context) is where the fix goes; the problem mark is often EOF.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        detail = f"{exc.context} ... {exc.problem}" if exc.context else str(exc.problem or exc)
        raise YamlSyntaxError(line, f"bad YAML: {detail}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, f"bad YAML: {exc}") from None
    located = Located(value=None)
    if node is not None:
        check_shape(node)
        located.value = _build(node, (), located)
        _find_cut_comments(node, text.splitlines(), located)
    return located


def _find_cut_comments(root: yaml.Node, lines: list[str], out: Located) -> None:
    """An unquoted value followed by ` #…` loses everything from the `#`: YAML reads a comment.

    Authors mean it as text far more often than as a comment on a content line, so it is an error.
    """
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(v for _, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and not node.style and node.value:  # plain, unquoted
            end = node.end_mark
            rest = lines[end.line][end.column :] if end.line < len(lines) else ""
            if rest.lstrip().startswith("#") and rest[:1].isspace():
                out.problems.append((end.line + 1, "text after ' #' is read as a YAML comment: quote the value"))


def _build(node: yaml.Node, path: Path_, out: Located, line: int | None = None) -> Any:
    # A mapping value is reported at its key's line: that is where an editor should jump.
    out.lines[path] = line or node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in result:
                out.problems.append((key_node.start_mark.line + 1, f"key {key!r} appears twice"))
            result[key] = _build(value_node, (*path, key), out, key_node.start_mark.line + 1)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), out) for i, item in enumerate(node.value)]
    return _scalar(node)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.Node) -> Any:
    # The composer already resolved the tag (int, bool, null …); construct it as safe_load would.
    value = _CONSTRUCTOR.construct_object(node, deep=True)
    _CONSTRUCTOR.constructed_objects.clear()
    return value


# Decks are a few levels deep; anything far deeper is an attack or an accident, not a deck.
MAX_DEPTH = 32


def check_shape(root: yaml.Node, seen: set[int] | None = None, depth: int = 0) -> None:
    """Refuse anchors/aliases (a ten-line "billion laughs" deck expands to gigabytes when
    validated) and absurd nesting, before anything is built from the nodes. `seen` and `depth`:
    what a walk that reached `root` has already met, and how deep `root` is."""
    seen = set() if seen is None else seen
    stack: list[tuple[yaml.Node, int, int]] = [(root, depth, root.start_mark.line + 1)]
    while stack:
        node, depth, used_at = stack.pop()
        if id(node) in seen:  # reached twice: an alias, reported where it is used
            raise YamlSyntaxError(used_at, "YAML anchors and aliases (&, *) are not allowed in decks")
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise YamlSyntaxError(node.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            stack.extend((n, depth + 1, line) for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((n, depth + 1, line) for n in node.value)


def load_fast(text: str) -> Any:
    """Plain, fast parse for the happy path (no positions), with the same shape checks.

    Equal to `yaml.safe_load` on every document without anchors (tests/unit/test_yamlmap.py).
    One walk over the composed nodes both checks the shape and builds the value; plain strings,
    nearly all of a deck, are taken straight from their nodes, and only other scalars (numbers,
    booleans, null, dates) and merge keys go through PyYAML's constructor. PyYAML's generic
    construction, with the separate shape walk, was most of a first start's CPU time.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _plain(node, loader, set(), 0, node.start_mark.line + 1)
    finally:
        loader.dispose()


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


def _plain(node: yaml.Node, loader: Any, seen: set[int], depth: int, used_at: int) -> Any:
    kind = type(node)
    if kind is not yaml.ScalarNode and not _common(node):
        # Rare shapes (a merge key, a non-string key, an explicit tag): check, then construct as safe_load does.
        check_shape(node, seen, depth)
        return loader.construct_document(node)
    if id(node) in seen:  # reached twice: an alias
        raise YamlSyntaxError(used_at, "YAML anchors and aliases (&, *) are not allowed in decks")
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise YamlSyntaxError(node.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
    if kind is yaml.ScalarNode:
        return node.value if node.tag == _STR else _scalar(node)
    line = node.start_mark.line + 1
    if kind is yaml.SequenceNode:
        return [_plain(item, loader, seen, depth + 1, line) for item in node.value]
    return {_plain(k, loader, seen, depth + 1, line): _plain(v, loader, seen, depth + 1, line) for k, v in node.value}


def _common(node: yaml.Node) -> bool:
    """A plain list, or a mapping with plain string keys: built here rather than by PyYAML."""
    if type(node) is yaml.SequenceNode:
        return bool(node.tag == _SEQ)
    return node.tag == _MAP and all(type(k) is yaml.ScalarNode and k.tag == _STR for k, _ in node.value)
