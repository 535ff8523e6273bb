"""Credit for what an answer asserts: negation, doubt, "I don't know", contradictions, misconceptions.

Cases are generated over the bank: every key point's own statement is wrapped in templates that
assert it, negate it, doubt it or disown it, in English and Chinese; misconception patterns are
generated from each question's own key-point aliases.
"""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.bank import Bank
from bot.content.misconceptions import pattern_in
from bot.content.schema import Question
from bot.core.grading import KeyPointGrader, Verdict, rubric_for
from bot.core.grading.assertions import Stance, read
from bot.core.grading.rubric import RubricMisconception
from bot.core.grading.text import clean

grader = KeyPointGrader()

NEGATE_EN = (
    "It is not true that {s}.",
    "It's false to say that {s}.",
    "Nobody should claim that {s}.",
    "{S}, which is wrong.",
    "Some say that {s}, but that is a myth.",
    "I would never say that {s}.",
)
NEGATE_ZH = ("{s}，这种说法是错误的。", "并不是{s}。", "说{s}是不对的。", "{s}？其实不是这样。", "从来没有{s}这回事。")
UNKNOWN_EN = (
    "I don't know whether {s}.",
    "No idea, honestly. Something like {s}?",
    "I'm not sure if {s}.",
    "Maybe {s}?",
    "Is it that {s}?",
    "Perhaps {s}, I guess.",
)
UNKNOWN_ZH = ("我不知道是不是{s}。", "不清楚，也许{s}？", "我不太懂，好像{s}？", "{s}吗？", "我猜{s}吧？")


def _answered(bank: Bank, every: int = 7) -> list[Question]:
    return [q for n, q in enumerate(bank.answered()) if n % every == 0]


def _statements(q: Question, lang: str) -> list[str]:
    return [kp.text(lang).rstrip("。.") for kp in q.key_points]


def _fill(template: str, s: str) -> str:
    return template.format(s=s[:1].lower() + s[1:] if s[:2] != s[:2].upper() else s, S=s)


@pytest.mark.parametrize(("lang", "templates"), [("en", NEGATE_EN), ("zh", NEGATE_ZH)])
def test_negating_every_point_earns_nothing_and_shows_them_wrong(bank: Bank, lang: str, templates: tuple[str]) -> None:
    held, total = 0, 0
    for n, q in enumerate(_answered(bank)):
        template = templates[n % len(templates)]
        answer = ("" if lang == "zh" else " ").join(_fill(template, s) for s in _statements(q, lang))
        g = grader.grade(rubric_for(q), answer, lang)
        total += 1
        held += g.score <= 0.4 and g.verdict is not Verdict.CORRECT
        assert not (set(g.covered) & {w.index for w in g.wrong if w.kind == "point"})
    assert held / total >= 0.85, (lang, held, total)


@pytest.mark.parametrize(("lang", "templates"), [("en", UNKNOWN_EN), ("zh", UNKNOWN_ZH)])
def test_doubted_or_disowned_points_earn_nothing(bank: Bank, lang: str, templates: tuple[str]) -> None:
    held, total = 0, 0
    for n, q in enumerate(_answered(bank)):
        template = templates[n % len(templates)]
        answer = ("" if lang == "zh" else " ").join(_fill(template, s) for s in _statements(q, lang))
        g = grader.grade(rubric_for(q), answer, lang)
        total += 1
        held += g.score <= 0.4
        assert not g.wrong, (q.id, answer, g.wrong)  # not knowing is not being wrong
    assert held / total >= 0.9, (lang, held, total)


def test_asserting_the_points_still_earns_them(bank: Bank) -> None:
    for lang in ("en", "zh"):
        credited = 0
        questions = _answered(bank)
        for q in questions:
            answer = ("。" if lang == "zh" else ". ").join(_statements(q, lang))
            g = grader.grade(rubric_for(q), answer, lang)
            credited += g.verdict is Verdict.CORRECT and not g.wrong
        assert credited / len(questions) >= 0.9, lang


@settings(max_examples=60, deadline=None)
@given(
    cue=st.sampled_from(["not", "never", "no longer", "hardly ever... no,"]),
    subject=st.sampled_from(["LoRA", "The method", "It", "This technique"]),
)
def test_negation_reaches_what_follows_the_cue_only(cue: str, subject: str) -> None:
    reading = read(clean(f"{subject} does {cue} quantize the model, it freezes it and learns low-rank matrices."))
    negated = {reading.raw(i) for i, flag in enumerate(reading.negated) if flag}
    assert "quantize" in negated
    assert not negated & {"freezes", "low", "rank", "matrices"}


def test_stances() -> None:
    assert read(clean("Maybe LoRA uses low-rank matrices?")).clauses[0].stance is Stance.DOUBTED
    assert read(clean("I have no idea what LoRA is.")).clauses[0].stance is Stance.UNKNOWN
    assert read(clean("不清楚，好像和低秩有关？")).clauses[0].stance is Stance.UNKNOWN
    assert read(clean("LoRA 冻结原始权重。")).clauses[0].stance is Stance.ASSERTED
    # Lexicalised words with a negation character do not negate.
    assert not any(read(clean("不同的方法不仅节省显存，而且非常快。")).negated)
    assert not any(read(clean("LoRA is not only cheap but also fast.")).negated[:5])


_SAYS_NOT = re.compile(r"\b(?:no|not|never|know|cannot|without)\b|n't|不|没|无|[,，]")


def _generated_misconception(q: Question, rng: random.Random) -> tuple[RubricMisconception, dict[str, str]] | None:
    """A wrong claim built from two of the question's key points: the first's terms said about the second."""
    if len(q.key_points) < 2:
        return None
    a, b = rng.sample(range(len(q.key_points)), 2)
    plain = [[t for t in (*kp.aliases.en, *kp.aliases.zh) if not _SAYS_NOT.search(t)] for kp in q.key_points]
    en = [[t for t in p if t.isascii()] for p in plain]
    zh = [[t for t in p if not t.isascii()] for p in plain]
    if not (en[a] and en[b] and zh[a] and zh[b]):
        return None
    en_a, en_b, zh_a, zh_b = en[a][0], en[b][0], zh[a][0], zh[b][0]
    claims = {"en": f"{en_a} replaces {en_b} entirely", "zh": f"{zh_a}完全取代了{zh_b}"}
    mis = RubricMisconception(
        claims=claims,
        corrections={"en": "no", "zh": "不"},
        patterns=((en_a, en_b, "replaces"), (zh_a, zh_b, "取代")),
    )
    return mis, claims


def test_generated_misconceptions_cost_credit_and_are_named(bank: Bank) -> None:
    rng = random.Random(14)
    checked = 0
    for q in _answered(bank, every=5):
        made = _generated_misconception(q, rng)
        if made is None:
            continue
        mis, claims = made
        base = rubric_for(q)
        rubric = type(base)(base.prompts, base.references, base.points, base.alternatives, (mis,))
        for lang in ("en", "zh"):
            reference = q.answer.get(lang)  # type: ignore[union-attr]
            if pattern_in(" + ".join(mis.patterns[0 if lang == "en" else 1]), reference):
                continue  # the model answer says it: an authoring error the checker reports
            wrong = grader.grade(rubric, f"{reference} {claims[lang]}.", lang)
            right = grader.grade(rubric, reference, lang)
            assert [w.kind for w in wrong.wrong].count("misconception") == 1, (q.id, lang, wrong.wrong)
            assert wrong.score < right.score and wrong.verdict is not Verdict.CORRECT
            denied = grader.grade(rubric, f"{reference} It is not true that {claims[lang]}.", lang)
            if lang == "en":
                assert not any(w.kind == "misconception" for w in denied.wrong)
            checked += 1
    assert checked >= 40


def test_the_checker_refuses_a_pattern_the_model_answer_asserts() -> None:
    assert pattern_in("LoRA + low-rank", "LoRA learns a low-rank update.")
    assert not pattern_in("LoRA + quantizes", "LoRA does not quantize the base model.")
    assert not pattern_in("LoRA + quantizes", "LoRA trains adapters; QLoRA quantizes the base.")
    assert not pattern_in("LoRA + 量化", "LoRA 并不量化基座模型。")
