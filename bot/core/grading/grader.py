"""The default grader: offline, deterministic, explainable.

An answer is scored by the key points it covers (each matched on its own, by an alias or by
enough of its statement's content words) and by how well it matches the reference answer,
as judged by a small learned combiner over a dozen overlap features (`features.py`,
`combiner.py`; English trained on the SemEval-2013 train splits only). A rubric without key
points (the batch CLI's reference-only lines) is scored by the combiner alone: one fitted for that
case in each language (`zh:reference-only`, `en:reference-only`). Words that already
stand in the question earn nothing ("question demoting"): repeating the question says
nothing. Instructions inside the answer are never read as instructions: the sentences that
carry them are left out before grading, so they can only earn a note, never points.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from bot.core.grading.assertions import read_answer
from bot.core.grading.combiner import Combiner, default_combiners, reference_only
from bot.core.grading.credit import weigh
from bot.core.grading.features import Analysis, analyse_answer, analyse_rubric, features
from bot.core.grading.grade import (
    CORRECT_AT,
    MAX_GRADED_CHARS,
    Flag,
    Grade,
    Verdict,
    Wrong,
    verdict_for,
)
from bot.core.grading.injection import addressed_to_grader, instruction_start, sentences
from bot.core.grading.polarity import polarity_mismatch
from bot.core.grading.reference_features import aggregate, reference_features
from bot.core.grading.rubric import Rubric
from bot.core.grading.structure import length_factor, word_salad
from bot.core.grading.text import STOP_EN, clean, clean_rubric, detect_lang, is_cjk, raw_tokens

# How much of a bank question's score comes from its key points; the rest is the reference
# match. Chosen on our own labelled answers (tests/data/graded_answers.jsonl, see the README here).
POINTS_WEIGHT = 0.9
# Interviewers credit the first key points more than the last ones: coverage c scores c ** POINTS_CURVE.
POINTS_CURVE = 0.6
# What a wrong statement costs, in key points: a contradicted point, an asserted misconception; as much
# as a right one earns (at ½ a contradicted point, answers with two thirds of their facts turned false kept
# 0.45-0.55: tests/unit/test_adversarial_suite.py). An answer asserting a misconception is never "correct".
CONTRADICTION_COST = 1.0
MISCONCEPTION_COST = 1.0
MISCONCEPTION_CAP = CORRECT_AT - 0.01
# An answer whose character 4-grams come this much from the question's is a copy of it.
COPY_SHARE = 0.7
# A bare list of terms ("LoRA, adapters, prefix tuning") names things without explaining any:
# an interviewer gives it partial credit at best (unless the reference answer is itself such a list).
KEYWORD_LIST_CAP = 0.5
# Key points only named ("It is about NF4", "NF4 is important", a bare list), none explained: below
# "partly"'s middle, so that no arrangement of the right terms passes for an answer.
NAMED_ONLY_CAP = 0.4
# A yes/no question answered "no" when the answer is "yes" (or the reverse) is wrong whatever follows:
# our labelled wrong-polarity answers score 0.1-0.15 (tests/data/graded_answers_zh.jsonl).
WRONG_POLARITY_CAP = 0.2
_LIST_SPLIT = re.compile(r"[,，、;；/\n]+|\band\b|和|及")

# Searched part by part (`_instructs`): a part that starts with a word is found by the regex engine's fast scan for
# its first letters, which one alternation of them all cannot use (a third less time over a long answer).
_INJECTION = tuple(
    re.compile(part, re.MULTILINE)
    for part in (
        r"ignore (?:all |the |any |previous |prior |your )*(?:instructions|rubric|rules|above)",
        r"disregard (?:the |all |previous )*(?:instructions|rubric|rules)",
        r"(?:give|award|grade|score|mark)(?: me| this| it| the| my)?(?: answer)? (?:a |an )?(?:score of |grade of )?"
        r"(?:100|full|maximum|perfect|10/10)",
        r"(?:output|return|set) (?:the )?(?:score|verdict|grade)\s*(?:=|:|to)",
        # ("system prompt" is no instruction: answers about prompts, caching and guardrails name it)
        r"you are (?:now )?(?:a|the) grader",
        # disguised: notes addressed to the grader, grading markup or JSON, a fake transcript
        # ("Marker, Docling and …": a PDF parser, not someone addressed)
        r"(?:note|message|dear) (?:to )?(?:the )?(?:grader|marker|examiner)",
        r"\b(?:grader|examiner)\s*[:,]",
        r"\bmarker\s*:",
        r"</?(?:answer|grade|score|verdict)\b",
        r"[\"']?(?:score|verdict|grade)[\"']?\s*[:=]\s*[\"']?(?:\d|correct|full)",
        r"^\s*(?:assistant|system|user)\s*:",
        r"忽略.{0,8}(?:指令|规则|评分|要求|以上)",
        r"给(?:我|这个答案)?.{0,4}100\s*分",
        r"打\s*100",
        r"评为正确",
        r"评分器",
    )
)


def _instructs(text: str) -> bool:
    """Some part of the text instructs the grader ("ignore the rubric", "score: 100", "给我100分")."""
    return any(part.search(text) for part in _INJECTION)


# Once an answer has tried to instruct the grader, every sentence that talks about grading goes too.
_ABOUT_GRADING = re.compile(
    r"\b(?:scores?|grades?|grading|grader|marks?|points?|rubric|verdict|correct|100|10/10|full|perfect|instructions?)\b"
    r"|分|评|满|指令|规则|正确"
)


def _without_instructions(text: str) -> str:
    """The answer minus every sentence that carries an instruction to the grader or talks about grading."""
    kept = [
        s
        for s in sentences(text)
        if not _instructs(s) and not _ABOUT_GRADING.search(s) and instruction_start(s) is None
    ]
    return " ".join(" ".join(kept).split())


def _copies_question(answer: Analysis, prompts: list[Analysis], question_units: set[str]) -> bool:
    """The answer is (nearly) the question's own text and adds at most one word of its own."""
    if len(answer.units - question_units) > 1 or not answer.grams:
        return False
    return any(len(answer.grams & p.grams) / len(answer.grams) >= COPY_SHARE for p in prompts)


def _is_keyword_list(text: str, share: float = 1.0) -> bool:
    """Three or more items, (a `share` of them) only terms (≤ 3 words, ≤ 6 Chinese characters), or terms
    with no glue words."""
    items = [i.strip(" .。!！?？:：()（）") for i in _LIST_SPLIT.split(text)]
    items = [i for i in items if i]
    if len(items) >= 3 and sum(1 for i in items if _term_like(i)) >= share * len(items):
        return True
    tokens = raw_tokens(text)
    return len(tokens) >= 4 and not any(t in STOP_EN for t in tokens) and not any(is_cjk(t) for t in tokens)


def _term_like(item: str) -> bool:
    tokens = raw_tokens(item)
    cjk = sum(1 for t in tokens if is_cjk(t))
    return cjk <= 6 if cjk else len(tokens) <= 3


class KeyPointGrader:
    """Key-point coverage of what the answer asserts, plus a learned reference match, with question demoting."""

    def __init__(self, combiner: Combiner | Mapping[str, Combiner] | None = None) -> None:
        """`combiner`: one for every language, or one per language ("en" serves the others)."""
        self._combiners = {"en": combiner} if isinstance(combiner, Combiner) else combiner

    def combiner(self, lang: str, key_points: bool = True) -> Combiner:
        """`lang`'s combiner ("en" serves the others); for a rubric without `key_points`, the one fitted for
        that case where there is one."""
        if self._combiners is None:
            self._combiners = default_combiners()
        if not key_points and (fitted := self._combiners.get(reference_only(lang))):
            return fitted
        return self._combiners.get(lang) or self._combiners["en"]

    def grade(self, rubric: Rubric, answer: str, locale: str | None = None) -> Grade:
        graded = self._grade(rubric, answer, locale, obey_nothing=True)
        # A score of 0 cannot be lowered: the answer as written need not be graded at all.
        if Flag.INJECTION in graded.flags and graded.score > 0:
            # Leaving the instructions out must not make the rest score more than the answer as written
            # (their words taken as content): an instruction can never raise a score.
            as_written = self._grade(rubric, answer, locale, obey_nothing=False)
            if as_written.score < graded.score:
                graded = replace(as_written, flags=graded.flags)
        return graded

    def _grade(self, rubric: Rubric, answer: str, locale: str | None, obey_nothing: bool) -> Grade:
        """`obey_nothing`: leave out the sentences that instruct the grader (else grade them as content)."""
        flags: list[Flag] = []
        if len(answer) > MAX_GRADED_CHARS:
            answer = answer[:MAX_GRADED_CHARS]
            flags.append(Flag.TRUNCATED)
        text = clean(answer)
        lang = detect_lang(text) if text else (locale or "en")
        n_points = len(rubric.points)
        all_missed = tuple(range(n_points))
        if not text:
            return Grade(0.0, Verdict.INCORRECT, (), all_missed, (Flag.EMPTY, *flags), lang)
        unabridged = None
        if obey_nothing and (_instructs(text) or addressed_to_grader(text)):
            flags.append(Flag.INJECTION)
            unabridged = read_answer(text)
            text = _without_instructions(text)
            if not text:
                return Grade(0.0, Verdict.INCORRECT, (), all_missed, tuple(flags), lang)
            lang = detect_lang(text)  # the language of what is graded, not of the instruction

        analysed = analyse_answer(text)
        if not analysed.terms:  # nothing but stop words: "yes", "是的", "ok"
            return Grade(0.0, Verdict.INCORRECT, (), all_missed, (Flag.TOO_SHORT, *flags), lang)
        cleaned_prompts = [clean_rubric(p) for p in rubric.prompts]
        prompts = [analyse_rubric(p) for p in cleaned_prompts]
        question_units: set[str] = set()
        for prompt in prompts:
            question_units |= prompt.units
        if _copies_question(analysed, prompts, question_units):
            return Grade(0.0, Verdict.INCORRECT, (), all_missed, (Flag.COPIED_QUESTION, *flags), lang)

        question = frozenset(question_units)
        question_text = " ".join(cleaned_prompts)
        reference_text = clean_rubric(rubric.reference(lang))  # the model answer in the language graded
        if n_points and word_salad(text, reference_text):
            return Grade(0.0, Verdict.INCORRECT, (), all_missed, (Flag.WORD_SALAD, *flags), lang)
        evidence = weigh(rubric, read_answer(text), lang, question_text, question, unabridged)
        # Against key points the reference match reads only what the answer asserts; a rubric without key
        # points (the batch CLI, the public benchmarks) is the combiner's alone, on the text it was trained on.
        credible: Analysis | None = analysed
        if n_points:
            credible = analyse_answer(evidence.credible) if evidence.credible else None

        best_p, best_feats = 0.0, None
        combiner = self.combiner(lang, key_points=bool(n_points))
        if credible is not None and credible.terms:
            references = rubric.references_for(lang)
            extended = combiner.reads_reference_features  # only a combiner for rubrics without key points
            matches = []
            for reference in references:
                analysed_reference = analyse_rubric(clean_rubric(reference))
                feats = features(credible, analysed_reference, question, len(references))
                if extended:
                    feats |= reference_features(credible, analysed_reference, question, question_text)
                matches.append(feats)
            common = aggregate(matches) if extended else {}
            for feats in matches:
                feats |= common
                p = combiner.probability(feats)
                if best_feats is None or p > best_p:
                    best_p, best_feats = p, feats
        ref_score = combiner.calibrated(best_p) if best_feats is not None else 0.0
        recall = best_feats["soft_recall"] if best_feats is not None else 0.0

        points = evidence.points
        covered = tuple(i for i, p in enumerate(points) if p.credit >= 0.5)
        named = tuple(i for i, p in enumerate(points) if p.named_only and p.credit)
        contradicted = tuple(i for i, p in enumerate(points) if p.contradicted)
        missed = tuple(i for i in range(n_points) if i not in (*covered, *named, *contradicted))
        wrong = tuple(Wrong("point", i, points[i].said) for i in contradicted) + tuple(
            Wrong("misconception", k, said) for k, said in evidence.misconceptions
        )

        if n_points:
            earned = sum(p.credit for p in points) - CONTRADICTION_COST * len(contradicted)
            earned -= MISCONCEPTION_COST * len(evidence.misconceptions)
            point_score = max(0.0, earned / n_points) ** POINTS_CURVE
            score = POINTS_WEIGHT * point_score + (1 - POINTS_WEIGHT) * ref_score
        else:
            point_score = 0.0
            score = ref_score
        if evidence.misconceptions:
            score = min(score, MISCONCEPTION_CAP)
        factor = length_factor(len(analysed.terms), len(analyse_rubric(reference_text).terms))
        if n_points and factor < 1:
            score *= factor
            flags.append(Flag.TOO_LONG)
        if evidence.unknown:
            flags.insert(0, Flag.DONT_KNOW)
        elif evidence.named_only:
            score = min(score, NAMED_ONLY_CAP)
            flags.append(Flag.KEYWORD_LIST)
        elif score > KEYWORD_LIST_CAP and _is_keyword_list(text) and not _is_keyword_list(reference_text, share=0.6):
            score = KEYWORD_LIST_CAP
            flags.append(Flag.KEYWORD_LIST)
        elif score < 0.1 and recall < 0.1 and not covered and not wrong:
            flags.insert(0, Flag.OFF_TOPIC)
        if score > WRONG_POLARITY_CAP and polarity_mismatch(text, reference_text):
            score = WRONG_POLARITY_CAP
            flags.append(Flag.WRONG_POLARITY)
        score = round(max(0.0, min(1.0, score)), 4)
        details = {
            "reference_match": round(ref_score, 4),
            "key_points": round(point_score, 4),
            "ref_recall": round(recall, 4),
            "points": len(covered),
            "contradicted": len(contradicted),
            "misconceptions": len(evidence.misconceptions),
        }
        return Grade(score, verdict_for(score), covered, missed, tuple(flags), lang, details, wrong, named)
