"""Yes/no polarity: an answer opening with the opposite of the reference's yes or no is capped."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.grading import Flag, KeyPointGrader, Rubric, RubricPoint, Verdict
from bot.core.grading.grader import WRONG_POLARITY_CAP
from bot.core.grading.polarity import polarity, polarity_mismatch
from bot.core.grading.text import clean

YES_ZH = ["是的", "可以", "需要", "有必要", "适合", "一定"]
NO_ZH = ["不是", "不可以", "不需要", "没必要", "不适合", "不一定", "没有", "不行"]
HEDGES = ["", "通常", "一般", "理论上"]
PUNCT = ["，", "。", "；", "！"]
REST = ["LoRA 的增量 BA 与原权重形状相同", "这取决于任务和数据", "原因如下：显存和带宽", ""]


@given(st.sampled_from(HEDGES), st.sampled_from(YES_ZH), st.sampled_from(PUNCT), st.sampled_from(REST))
def test_a_short_yes_clause_is_a_yes(hedge: str, word: str, punct: str, rest: str) -> None:
    assert polarity(clean(f"{hedge}{word}{punct}{rest}")) == 1


@given(st.sampled_from(HEDGES), st.sampled_from(NO_ZH), st.sampled_from(PUNCT), st.sampled_from(REST))
def test_a_short_no_clause_is_a_no(hedge: str, word: str, punct: str, rest: str) -> None:
    assert polarity(clean(f"{hedge}{word}{punct}{rest}")) == -1


@given(st.sampled_from(NO_ZH + YES_ZH), st.sampled_from(REST))
def test_a_long_first_clause_is_an_explanation_not_a_verdict(word: str, rest: str) -> None:
    assert polarity(clean(f"{word}直接合并到四位量化的基座模型里{rest}")) == 0


@given(st.sampled_from(["Yes", "No", "Not necessarily", "Sure"]), st.sampled_from([", ", ". "]))
def test_english_openers(word: str, punct: str) -> None:
    expected = 1 if word in {"Yes", "Sure"} else -1
    assert polarity(clean(f"{word}{punct}it depends on the kernel and the batch size.")) == expected


def test_no_polarity_in_the_reference_means_no_mismatch() -> None:
    assert not polarity_mismatch(clean("不可以。"), clean("LoRA 冻结预训练权重，只学习低秩增量。"))


RUBRIC = Rubric(
    prompts=("LoRA 权重是否可以合入原模型？", "Can LoRA weights be merged into the base model?"),
    references={
        "zh": "可以。LoRA 的增量 BA 与原权重形状相同，合并后结构不变，推理没有额外延迟。",
        "en": "Yes. The update BA has the shape of W0, so W0 + BA replaces it with no extra latency.",
    },
    points=(
        RubricPoint(
            texts={"zh": "BA 与 W0 形状相同", "en": "BA has the shape of W0"}, aliases=("形状相同", "same shape")
        ),
        RubricPoint(
            texts={"zh": "合并后没有额外延迟", "en": "no extra latency"}, aliases=("没有额外延迟", "no extra latency")
        ),
    ),
)


@given(st.sampled_from(["不可以", "不能", "No", "不行", "不是"]))
def test_the_opposite_answer_is_incorrect_whatever_follows(no: str) -> None:
    # The rest of the answer states both points correctly: only the verdict is wrong.
    rest = (
        ", BA has the same shape as W0 and there is no extra latency."
        if no.isascii()
        else "，BA 与 W0 形状相同，合并后没有额外延迟。"
    )
    grade = KeyPointGrader().grade(RUBRIC, no + rest)
    assert grade.verdict is Verdict.INCORRECT
    # Either the cap caught it (flagged) or the assertion reader already read the points as denied.
    assert grade.score <= WRONG_POLARITY_CAP
    assert Flag.WRONG_POLARITY in grade.flags or grade.wrong


def test_the_right_answer_keeps_its_credit() -> None:
    grade = KeyPointGrader().grade(RUBRIC, "可以，BA 与 W0 形状相同，合并后没有额外延迟。")
    assert grade.verdict is Verdict.CORRECT
    assert Flag.WRONG_POLARITY not in grade.flags
