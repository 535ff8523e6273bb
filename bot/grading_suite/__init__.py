"""The adversarial grading suite: attacks and honest answers generated over the whole bank.

`generate(questions)` writes, for every answered question and both languages, one case per kind
(`KINDS`): answers that must be *held* (score at most 0.4 and not "correct": don't-know plus the
right terms, negated or contradicted points, misconceptions, swapped facts, shuffled words, bare
and glued lists, dumps, another topic's answer, instructions to the grader) and answers that must
be *credited* ("correct": the reference, a paraphrase without the alias words, the other language,
a short correct answer). Each kind has several templates; some are marked held out, so the figures
on them say how the grader does on wordings it was not developed against.
`benchmarks/adversarial.py` prints the table; `tests/unit/test_adversarial_suite.py` holds floors.
"""

from bot.grading_suite.cases import ATTACKS, KINDS, POSITIVES, Case, generate
from bot.grading_suite.scoring import Outcome, evaluate, held, summarise

__all__ = ["ATTACKS", "KINDS", "POSITIVES", "Case", "Outcome", "evaluate", "generate", "held", "summarise"]
