"""Weights of the learned combiners (generated: do not edit). Trained by `python benchmarks/grading.py
--train`: en on the train splits of SemEval-2013 Task 7 (SciEntsBank, Beetle); zh on our own
labelled Chinese answers (tests/data/graded_answers.jsonl).
"""

WEIGHTS = {
    "en": {
        "features": [
            "soft_recall",
            "soft_precision",
            "unrelated",
            "char_dice",
            "question_share",
            "negation_mismatch",
            "log_length",
            "length_ratio",
            "full_recall",
        ],
        "coef": [0.874916, 0.257887, -0.540961, 1.507032, 0.577385, -0.358829, 0.032512, 0.523271, 0.836983],
        "intercept": -1.109466,
        "threshold": 0.5036,
    },
    "zh": {
        "features": [
            "recall",
            "precision",
            "soft_recall",
            "soft_precision",
            "unrelated",
            "bigram_recall",
            "char_dice",
            "question_share",
            "negation_mismatch",
            "log_length",
            "length_ratio",
            "full_recall",
        ],
        "coef": [
            0.279829,
            0.871537,
            0.281092,
            0.871537,
            -0.871512,
            0.490214,
            0.314886,
            0.174999,
            -0.49812,
            1.76279,
            1.25068,
            0.293278,
        ],
        "intercept": -4.141339,
        "threshold": 0.4783,
    },
}
