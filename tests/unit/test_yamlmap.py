"""The fast deck parser: the value `yaml.safe_load` gives, without anchors, aliases or deep nesting."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.loader import DEFAULT_ROOT
from bot.content.yamlmap import MAX_DEPTH, YamlSyntaxError, load_fast

SCALARS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["yes", "no", "on", "null", "~", "1e3", "0x1f", "2024-01-02", "12:30", "3.0", "-", "#x", "a: b"]),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
DOCS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=25,
)


def test_every_file_of_the_bank_parses_as_safe_load_does() -> None:
    files = sorted(DEFAULT_ROOT.rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        text = path.read_text("utf-8")
        assert load_fast(text) == yaml.safe_load(text), path


@settings(max_examples=300, deadline=None)
@given(DOCS, st.sampled_from([None, False, True]))
def test_generated_documents_parse_as_safe_load_does(doc: Any, flow: bool | None) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True, default_flow_style=flow)
    assert load_fast(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, 2]\nb: *x\n",
        "- &k key\n- {*k : 1}\n",
        "base: &b {x: 1}\nother:\n  <<: *b\n",
    ],
)
def test_anchors_and_aliases_are_refused(text: str) -> None:
    with pytest.raises(YamlSyntaxError, match="anchors and aliases"):
        load_fast(text)


def test_absurd_nesting_is_refused() -> None:
    with pytest.raises(YamlSyntaxError, match="nested more than"):
        load_fast("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2))
    assert load_fast("[" * 10 + "]" * 10) == yaml.safe_load("[" * 10 + "]" * 10)


@pytest.mark.parametrize(
    "text",
    [
        "a: {x: 1}\nb:\n  <<: {x: 2, y: 3}\n  z: 4\n",  # a merge key without an alias
        "? [1, 2]\n: pair\n",  # a key that is not a string
        "a: !!str 12\nb: !!int '7'\nc: !!set {x, y}\n",  # explicit tags
        "",
        "# only a comment\n",
    ],
)
def test_rare_shapes_parse_as_safe_load_does(text: str) -> None:
    try:
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            load_fast(text)
        return
    assert load_fast(text) == expected
