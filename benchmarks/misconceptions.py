"""Misconception patterns over the whole bank: do they catch their own claims, spare correct texts,
and survive a learner's rewording?

Figures, per language:
- claims caught: the share of misconception claims their own patterns match (the grader's matcher,
  every pattern of the misconception, as `content check` rule `misconception-claim` reads them);
- false fires: patterns that match a correct text of their own question (model answer, correct
  option or the misconception's correction, either language: rule `misconception-pattern`);
- rewordings: of the claims caught, the share still caught after each rewording a learner would
  write (`bot.content.rewordings`: inflection, is/are, noun order, 是/就是), every applicable place;
- CPU seconds of the misconception rules over the whole bank, cold (nothing cached) and warm.

    .venv/bin/python benchmarks/misconceptions.py [content-root]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bot.content import misconceptions
from bot.content.loader import DEFAULT_ROOT, load_bank
from bot.content.misconceptions import claim_caught, claim_coverage, misconception_problems
from bot.content.rewordings import REWORDINGS
from bot.content.schema import LANGS, Question, pattern_terms
from bot.core.grading.assertions import read_rubric
from bot.core.grading.credit import claim_clause
from bot.core.grading.text import clean

# Places tried per claim and rewording (each an applicable word or pair, wrapping).
PICKS = 3


def _rewording_shares(questions: tuple[Question, ...]) -> dict[tuple[str, str], tuple[int, int]]:
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for q in questions:
        for mis in q.misconceptions:
            patterns = [pattern_terms(p) for lang in LANGS for p in mis.patterns.get(lang)]
            for lang in LANGS:
                if not claim_caught(mis, lang):
                    continue
                claim = mis.claim.get(lang)
                for kind, reword in REWORDINGS[lang].items():
                    seen = set()
                    for pick in range(PICKS):
                        text = reword(claim, pick)
                        if text is None or text in seen:
                            continue
                        seen.add(text)
                        held, tried = out.get((lang, kind), (0, 0))
                        caught = claim_clause(read_rubric(clean(text)), patterns) is not None
                        out[(lang, kind)] = (held + caught, tried + 1)
    return out


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ROOT
    bank = load_bank(root)
    questions = bank.questions
    mis_count = sum(len(q.misconceptions) for q in questions)
    print(f"{len(questions)} questions, {mis_count} misconceptions")

    for label in ("cold", "warm"):
        if label == "cold":
            misconceptions._reading.cache_clear()
            misconceptions._tokens.cache_clear()
            read_rubric.cache_clear()
        start = time.process_time()
        problems = [p for q in questions for p in misconception_problems(q)]
        print(f"misconception rules over the bank ({label}): {time.process_time() - start:.2f} s CPU")

    coverage = claim_coverage(questions)
    for lang in LANGS:
        caught, total = coverage[lang]
        print(f"claims caught by their own patterns, {lang}: {caught}/{total} = {caught / total:.1%}")
    fires = [p for p in problems if p[2] == misconceptions.RULE]
    print(f"patterns that fire on a correct text of their question: {len(fires)}")
    for (language, kind), (held, tried) in sorted(_rewording_shares(questions).items()):
        print(f"rewording {language} {kind}: {held}/{tried} = {held / max(tried, 1):.1%} still caught")


if __name__ == "__main__":
    main()
