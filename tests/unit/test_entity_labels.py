"""Entity labels ("bulb A", "bulbs A and C", "terminals 1, 2 and 3"), circuit states said either way round
("connected" / "not separated by a gap") and their features in `reference_features.py`, on the phrasings they
were written for and on generated ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.grading import CORRECT_AT, KeyPointGrader, rubric_from_record
from bot.core.grading.combiner import REFERENCE_ONLY_EN, Combiner, default_combiners
from bot.core.grading.features import analyse, features
from bot.core.grading.reference_features import (
    REFERENCE_FEATURES,
    aggregate,
    circuit_states,
    entity_labels,
    label_features,
    reference_features,
    state_features,
)
from bot.core.grading.text import clean

LABEL_FEATURES = ("label_missed", "label_missed_new", "label_extra", "label_mismatch")


def _labels(text: str) -> set[tuple[str, str]]:
    return set(entity_labels(clean(text)))


def _lf(answer: str, reference: str, question: str = "") -> dict[str, float]:
    return label_features(clean(answer), clean(reference), clean(question))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bulb A is in a closed path", {("bulb", "a")}),
        ("Bulbs A and C are in the same path", {("bulb", "a"), ("bulb", "c")}),
        ("bulbs a, b, and c", {("bulb", "a"), ("bulb", "b"), ("bulb", "c")}),
        ("Switch Y is open and bulb B is off", {("switch", "y"), ("bulb", "b")}),
        ("Terminals 1, 2 and 3 are connected", {("terminal", "1"), ("terminal", "2"), ("terminal", "3")}),
        ("B and C are in the same path", {("", "b"), ("", "c")}),
        ("A is in a closed path", {("", "a")}),
        ("there is a path containing A, C, Z and X", {("", "a"), ("", "c"), ("", "z"), ("", "x")}),
        ("1 and 4 are connected", {("", "1"), ("", "4")}),
        ("bulb a burned out", {("bulb", "a")}),
    ],
)
def test_labelled_entities_are_found(text: str, expected: set[tuple[str, str]]) -> None:
    assert _labels(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A bulb is in a closed path",
        "there is a burned out bulb",
        "the path a bulb is in",
        "a voltage of 1.5 volts",
        "after a while he should pour it",
        "it looks 3d, e.g. like a box",
        "I think the battery is in a path",
        "light a bulb with 2 wires",
    ],
)
def test_articles_pronouns_and_measures_are_no_labels(text: str) -> None:
    assert _labels(text) == set()


_NOUNS = {"bulb": "bulbs", "switch": "switches", "terminal": "terminals", "path": "paths", "battery": "batteries"}
_LETTERS = [c for c in "abcdefghjklmnopqrstuvwxyz"]  # not "i"
_FRAMES = [
    ("", " is in a closed path"),
    ("because ", " are still connected to the battery"),
    ("there is a closed path with ", ""),
    ("if ", " burns out, the others stay on"),
    ("I think that ", "."),
    ("the voltage between ", " is 0"),
]


def _join(labels: list[str], style: int) -> str:
    if len(labels) == 1:
        return labels[0]
    if style == 0:
        return ", ".join(labels[:-1]) + " and " + labels[-1]
    if style == 1:
        return ", ".join(labels[:-1]) + ", and " + labels[-1]
    return " or ".join(labels)


_label_lists = st.one_of(
    st.lists(st.sampled_from(_LETTERS), min_size=1, max_size=4, unique=True),
    st.lists(st.integers(1, 12).map(str), min_size=1, max_size=4, unique=True),
)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(_NOUNS)),
    _label_lists,
    st.integers(0, 2),
    st.sampled_from(_FRAMES),
    st.booleans(),
)
def test_generated_coordinated_labels_after_a_noun_are_all_found(
    noun: str, labels: list[str], style: int, frame: tuple[str, str], upper: bool
) -> None:
    word = _NOUNS[noun] if len(labels) > 1 else noun
    shown = [lab.upper() if upper else lab for lab in labels]
    text = f"{frame[0]}{word} {_join(shown, style)}{frame[1]}"
    assert {(noun, lab) for lab in labels} <= _labels(text), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("bcdefghklmnoprstuvw", min_size=2, max_size=8), min_size=1, max_size=12))
def test_generated_text_without_single_letters_or_numbers_names_no_label(words: list[str]) -> None:
    assert _labels(" ".join(words)) == set()


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(_NOUNS)),
    st.lists(st.sampled_from(_LETTERS), min_size=2, max_size=5, unique=True),
    st.sampled_from(_FRAMES),
)
def test_generated_label_features(noun: str, labels: list[str], frame: tuple[str, str]) -> None:
    said, other = labels[:-1], labels[-1]
    reference = f"{frame[0]}{_NOUNS[noun]} {_join(said, 0)}{frame[1]}" if len(said) > 1 else f"{noun} {said[0]} is on"
    same = _lf(reference, reference)
    assert all(same[n] == 0.0 for n in LABEL_FEATURES)
    wrong = _lf(f"{frame[0]}{noun} {other}{frame[1]}", reference)
    assert wrong["label_missed"] == 1.0 and wrong["label_mismatch"] == 1.0 and wrong["label_extra"] == 1.0
    asked = _lf(f"{frame[0]}{noun} {other}{frame[1]}", reference, f"Why is {noun} {other} off?")
    assert asked["label_extra"] == 0.0 and asked["label_mismatch"] == 1.0  # the question names it: not extra
    part = _lf(f"{noun} {said[0]} is on", reference)
    assert part["label_missed"] == pytest.approx(1 - 1 / len(said)) and part["label_mismatch"] == 0.0
    assert all(0.0 <= v <= 1.0 for f in (same, wrong, asked, part) for v in f.values())


def test_labels_the_question_names_are_left_out_of_the_new_ones() -> None:
    f = _lf("they are in a closed path", "A and B are in a closed path", "Why do bulbs A and B stay on?")
    assert f["label_missed"] == 1.0 and f["label_missed_new"] == 0.0
    g = _lf("they are in a closed path", "A and B are in a closed path", "Why does bulb A stay on?")
    assert g["label_missed_new"] == 1.0


def test_label_features_are_zero_where_nothing_is_labelled() -> None:
    f = _lf("the bulb is in a closed path", "the bulb is in a closed path with the battery")
    assert all(f[n] == 0.0 for n in LABEL_FEATURES)


def test_number_words_after_a_noun_are_labels() -> None:
    assert _labels("terminal one is connected to terminals two and 3") == {
        ("terminal", "1"),
        ("terminal", "2"),
        ("terminal", "3"),
    }
    assert _labels("one bulb is on") == set()


def test_reference_features_carry_the_label_features() -> None:
    assert set(LABEL_FEATURES) <= set(REFERENCE_FEATURES)
    ref = analyse(clean("Bulb A is in a closed path"))
    feats = reference_features(analyse(clean("bulb C is in a closed path")), ref, frozenset(), "why is bulb a on?")
    assert feats["label_missed"] == 1.0 and feats["label_mismatch"] == 1.0 and feats["label_extra"] == 1.0


def test_the_grader_tells_the_labels_apart_when_its_combiner_reads_them() -> None:
    reads_labels = Combiner(("soft_recall", "label_missed", "label_mismatch"), (4.0, -3.0, -3.0), -2.0, 0.5)
    grading = KeyPointGrader({**default_combiners(), REFERENCE_ONLY_EN: reads_labels})
    rubric = rubric_from_record(
        {"question": "Why does bulb A light?", "reference": "Bulb A is in a closed path with the battery"}, "en"
    )
    right = grading.grade(rubric, "bulb A is in a closed path with the battery", "en")
    wrong = grading.grade(rubric, "bulb C is in a closed path with the battery", "en")
    assert right.score >= CORRECT_AT > wrong.score
    # the shipped en combiner reads none of them: to it the two are both correct
    plain = KeyPointGrader()
    assert plain.grade(rubric, "bulb C is in a closed path with the battery", "en").score >= CORRECT_AT


# ---------------------------------------------------------------------------- circuit states said either way


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("terminal 1 is connected to the battery", {"conn": {1}}),
        ("there is no gap between terminals 1 and 4", {"conn": {1}}),
        ("terminals 1 and 4 are not separated by the gap", {"conn": {1}}),
        ("terminal 1 is separated by a gap", {"conn": {-1}}),
        ("they aren't connected", {"conn": {-1}}),
        ("A and C are in different paths", {"same": {-1}}),
        ("bulb C was no longer in a closed path", {"closed": {-1}}),
        ("bulb C had an open path with the battery", {"closed": {-1}}),
        ("the bulb is in a path with the battery", {}),
    ],
)
def test_circuit_states_are_read_with_their_negation(text: str, expected: dict[str, set[int]]) -> None:
    assert {k: set(v) for k, v in circuit_states(clean(text)).items()} == expected


_STATE_WORDS = {"connected": ("conn", 1), "separated": ("conn", -1), "closed": ("closed", 1), "open": ("closed", -1)}


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(_STATE_WORDS)),
    st.sampled_from(["", "not ", "never ", "no longer "]),
    st.sampled_from(["terminal 1 is ", "bulbs A and B are ", "the path was ", "I think it is "]),
    st.sampled_from(["", " to the battery", " because of the switch", ". The bulb is on"]),
)
def test_generated_states_and_their_features(word: str, negation: str, subject: str, tail: str) -> None:
    name, sign = _STATE_WORDS[word]
    said = -sign if negation else sign
    text = f"{subject}{negation}{word}{tail}"
    assert circuit_states(clean(text)) == {name: frozenset({said})}, text
    same, flipped = f"{subject}{word}", f"{subject}not {word}"
    mine = state_features(clean(text), clean(same if said == sign else flipped))
    theirs = state_features(clean(text), clean(flipped if said == sign else same))
    assert mine == {"state_conflict": 0.0, "state_agree": 1.0}
    assert theirs == {"state_conflict": 1.0, "state_agree": 0.0}


def test_a_state_said_against_every_reference_is_a_conflict_with_all() -> None:
    answer = analyse(clean("terminal 1 is separated from the positive terminal by a gap"))
    refs = [analyse(clean(t)) for t in ("terminal 1 is connected to the positive terminal", "there is no gap")]
    per = [features(answer, r, frozenset()) | reference_features(answer, r, frozenset()) for r in refs]
    assert aggregate(per)["state_conflict_min"] == 1.0
    agreeing = analyse(clean("they are separated"))
    per.append(features(answer, agreeing, frozenset()) | reference_features(answer, agreeing, frozenset()))
    assert aggregate(per)["state_conflict_min"] == 0.0
