"""Weights of the learned combiners (generated: do not edit). Trained by `python benchmarks/grading.py
--train`: en on the train splits of SemEval-2013 Task 7 (SciEntsBank, Beetle); zh on our own
labelled Chinese answers (tests/data/graded_answers.jsonl and tests/data/graded_answers_zh.jsonl);
zh:reference-only (Chinese rubrics without key points) on le_zh (Lai et al. 2024, Apache-2.0) and
those answers of ours graded against the Chinese reference alone.
"""

WEIGHTS = {
    "en": {
        "features": [
            "soft_recall",
            "unrelated",
            "bigram_recall",
            "char_dice",
            "question_share",
            "negation_mismatch",
            "log_length",
            "length_ratio",
            "full_recall",
            "many_references",
        ],
        "coef": [1.477665, -0.570664, 0.35783, 1.551797, 0.479291, -0.350859, 0.036256, 0.419065, 1.24241, -0.803919],
        "intercept": -1.189283,
        "threshold": 0.4553,
    },
    "zh": {
        "features": ["recall", "precision", "char_dice", "question_share"],
        "coef": [5.973213, 3.262078, 3.842002, -0.796799],
        "intercept": -3.257335,
        "threshold": 0.3886,
    },
    "zh:reference-only": {
        "features": ["soft_recall", "soft_precision"],
        "coef": [2.617583, 1.250769],
        "intercept": -1.799783,
        "threshold": 0.6646,
    },
}
