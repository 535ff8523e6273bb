"""Every question's own model answer, graded by the real grader, earns every key point (en and zh).

An answer the bank itself calls right must be graded right: a key point its model answer cannot
earn is one no learner can earn. Measured on the bank of 2026-12-02 (652 answered questions, before two
merges): "correct" for 649 of 652 in each language; every key point covered for 622 en / 611 zh answers
(95.4 % / 93.7 %); key points earned 98.8 % en / 98.2 % zh. Every alias of the missed points below is
present in its model answer: they are missed for grader reasons, owned by issue 14, in three kinds.
(model-distillation kp3, int8-vs-fp16-inference-speed kp0, int8-bitsandbytes kp3 and
vllm-disadvantages zh kp4, once unearnable, are earned now.)

Read as contradicted (37; a negation or "not"/"不" elsewhere in the clause):
    vllm-supported-hf-models zh kp3; react-reasoning-acting en kp2; model-size-suffix-meaning
    en kp3; do-llms-have-reasoning-ability zh kp0; cot-essence en kp3; cot-essence zh kp3;
    cot-vs-standard-prompting en kp2; cot-vs-standard-prompting zh kp2; cot-limitations zh kp1;
    mixed-precision-drawbacks zh kp3; zero-core-idea en kp2; gpu-model-check zh kp1;
    data-parallelism-efficiency zh kp0; 3d-parallelism-what en kp4;
    parallel-strategy-single-gpu zh kp2; parallel-strategy-single-node zh kp1;
    parallel-strategy-multi-node en kp1; parallel-strategy-multi-node zh kp1;
    mitigate-general-ability-forgetting zh kp3; what-sft-learns zh kp4;
    hallucination-definition zh kp3; hallucination-types zh kp4; hallucination-measurement en
    kp3; hallucination-external-knowledge-check en kp3; switch-vs-mixtral zh kp4;
    prompt-learning-advantages en kp1; prompt-learning-advantages zh kp1; p-tuning-advantages
    zh kp0; why-lora-speeds-up-training en kp3; llama-input-length-unlimited zh kp3;
    prompt-caching-api zh kp2,3,4; quantization-deployment-choice zh kp3; rag-failure-diagnosis
    zh kp1; why-pdf-parsing en kp2; ai-document-parsing-pros-cons zh kp2; kv-cache-why en kp3;
    kv-cache-why zh kp3

Sentences taken for instructions to the grader (injection flag; 15):
    agent-memory-design en kp1; agent-memory-design zh kp1; eval-prompt-format-sensitivity en
    kp0,1,2,4,5 (partly); eval-prompt-format-sensitivity zh kp0,1,2,4,5 (partly);
    system-prompt-design zh kp0,2,3,5 (partly); pdf-parsing-methods en kp2; pdf-parsing-methods
    zh kp0,2; prompt-injection-direct-indirect en kp0,2,4; prompt-injection-direct-indirect zh
    kp0,2; llm-red-teaming zh kp3; production-guardrails-design zh kp1,2,3,4;
    llm-safety-evaluation zh kp0,1,4,5 (partly); prefix-caching-radix en kp1,2,3 (partly);
    serving-capacity-planning en kp2; serving-capacity-planning zh kp2,3,4

Other (19; mostly a parenthesised question such as "(is retrieval needed?)" or an
example question in the sentence, which makes the whole clause read as asked, not asserted):
    cot-scale-emergence zh kp3; tot-key-problems en kp0; llm-dumber-after-sft en kp3;
    hallucination-causes zh kp1,2; hallucination-mitigation en kp1; selfcheckgpt en kp2;
    hallucination-when-most-likely en kp0,1,2,3 (partly); hallucination-when-most-likely zh
    kp1,2; minhash-lsh-dedup zh kp5; agentic-rag en kp1; llm-vector-doc-chat-approach en kp2;
    llm-vector-doc-chat-approach zh kp2; pdf-title-extraction en kp3; ipo-vs-dpo zh kp1;
    reward-model-evaluation en kp2; reward-model-evaluation zh kp2; fix-biased-outputs zh kp2;
    reward-model-data-format en kp3; sycophancy-in-llms en kp0
"""

from __future__ import annotations

from bot.content.bank import Bank
from bot.content.schema import LANGS
from bot.core.grading.grade import Verdict
from bot.core.grading.grader import KeyPointGrader
from bot.core.grading.rubric import rubric_for

# Floors per language, at or just under what the bank reaches today (docstring): raise them as
# issue 14 fixes the cases listed above; a content change that loses a point fails here.
CORRECT_FLOOR = 0.99
KEY_POINT_FLOOR = 0.98
ALL_COVERED_FLOOR = 0.93


def test_model_answers_earn_their_own_key_points(bank: Bank) -> None:
    grader = KeyPointGrader()
    answered = list(bank.answered())
    for lang in LANGS:
        correct = all_covered = earned = points = 0
        for q in answered:
            assert q.answer is not None
            grade = grader.grade(rubric_for(q), q.answer.get(lang), lang)
            correct += grade.verdict is Verdict.CORRECT
            all_covered += len(grade.covered) == len(q.key_points)
            earned += len(grade.covered)
            points += len(q.key_points)
        n = len(answered)
        assert correct / n >= CORRECT_FLOOR, f"{lang}: {correct}/{n} model answers graded correct"
        assert earned / points >= KEY_POINT_FLOOR, f"{lang}: {earned}/{points} key points earned"
        assert all_covered / n >= ALL_COVERED_FLOOR, f"{lang}: {all_covered}/{n} cover every key point"
