"""Patterns rewritten for speed match where the patterns they replaced matched.

Patterns behind a look-ahead for their first characters (`text.led_by`): the look-ahead only lets the regex
engine skip positions quickly; it must never turn a match away. Each led pattern of the grader is parsed (the
regex parser's own tree) and the characters its matches can start with are worked out: every one of them must
be in the look-ahead, and no match may be empty. Patterns rewritten otherwise (alternatives reordered, runs made
possessive, look-behinds moved after the character they guard) are held equal to the plain pattern on generated
text.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.grading import assertions, credit, injection, swapped, text
from bot.core.grading.assertions import _SENTENCE_END as SENTENCE_END
from bot.core.grading.text import _TOKEN as TOKEN

c: Any = pytest.importorskip("re._constants")  # the regex parser's own (no stubs)
parser: Any = pytest.importorskip("re._parser")

_LEAD = re.compile(r"\(\?=\[([^\]]*)\]\)\(\?:(.*)\)", re.DOTALL)


def _first(items: list[Any]) -> tuple[set[int] | None, bool]:
    """The code points a match of this sequence can start with (None: any) and whether it can be empty."""
    out: set[int] = set()
    for op, av in items:
        chars, empty = _first_of(op, av)
        if chars is None:
            return None, False
        out |= chars
        if not empty:
            return out, False
    return out, True


def _first_of(op: Any, av: Any) -> tuple[set[int] | None, bool]:
    if op is c.LITERAL:
        return {av}, False
    if op is c.IN:
        chars: set[int] = set()
        for o, a in av:
            if o is c.LITERAL:
                chars.add(a)
            elif o is c.RANGE:
                chars |= set(range(a[0], a[1] + 1))
            else:  # a negated set, a category (\w, \s): any character, as far as this proof goes
                return None, False
        return chars, False
    if op is c.SUBPATTERN:
        return _first(list(av[3]))
    if op is c.ATOMIC_GROUP:
        return _first(list(av))
    if op is c.BRANCH:
        union: set[int] = set()
        empty = False
        for branch in av[1]:
            chars_, empty_ = _first(list(branch))
            if chars_ is None:
                return None, False
            union |= chars_
            empty = empty or empty_
        return union, empty
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        chars_, empty_ = _first(list(av[2]))
        return chars_, empty_ or av[0] == 0
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero-width: the match starts with what follows
        return set(), True
    return None, False  # any character, a back-reference …: nothing proven


def _led() -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for module in (assertions, credit, injection, swapped, text):
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and value.pattern.startswith("(?=["):
                found.append((f"{module.__name__}.{name}", value))
    return found


def test_there_are_led_patterns_to_check() -> None:
    assert [name for name, _ in _led()], "no pattern uses text.led_by: this test checks nothing"


@pytest.mark.parametrize(("name", "pattern"), _led())
def test_no_match_of_a_led_pattern_starts_outside_its_look_ahead(name: str, pattern: re.Pattern[str]) -> None:
    assert not pattern.flags & re.IGNORECASE, f"{name}: the proof reads characters as written, not case-folded"
    lead, body = _LEAD.fullmatch(pattern.pattern).groups()  # type: ignore[union-attr]
    allowed, _ = _first(list(parser.parse(f"[{lead}]")))
    starts, empty = _first(list(parser.parse(body, pattern.flags)))
    assert starts is not None and allowed is not None, f"{name}: cannot tell what its matches start with"
    assert not empty, f"{name}: can match the empty string, which the look-ahead would turn away"
    assert starts <= allowed, f"{name}: matches can start with {sorted(map(chr, starts - allowed))}"


def test_the_proof_sees_a_missing_first_character() -> None:
    starts, _ = _first(list(parser.parse("(?:这种)?(?:说法)?(?:是|并)错|不对")))
    assert starts == {ord(ch) for ch in "这说是并不"}
    assert _first(list(parser.parse(r"\w+")))[0] is None
    assert _first(list(parser.parse("a?"))) == ({ord("a")}, True)


# Each rewritten pattern, the plain pattern it replaced, and the characters its test texts are drawn from.
_REWRITTEN = [
    (
        TOKEN,
        r"[a-z0-9\u03b1-\u03c9]+(?:[.+'][a-z0-9\u03b1-\u03c9]+)*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]",
        "abz09αω.+'. -,的模\u3400\u4dbf\uf900\ufaff\u33ff",
    ),
    (
        SENTENCE_END,
        r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\d)\.(?=\s|$|[\u4e00-\u9fff])|[!?]+|[。\n]+",
        "egivstc.!?。\n 3 模,",
    ),
]


@pytest.mark.parametrize(("pattern", "plain", "alphabet"), _REWRITTEN)
@settings(max_examples=500, deadline=None)
@given(data=st.data())
def test_a_rewritten_pattern_matches_as_the_plain_one(
    pattern: re.Pattern[str], plain: str, alphabet: str, data: st.DataObject
) -> None:
    text = data.draw(st.text(alphabet=alphabet, max_size=80))
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in re.finditer(plain, text)]
