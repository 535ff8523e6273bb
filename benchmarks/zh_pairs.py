"""Regenerate `bot/core/grading/zh_pairs.py` from the bank: `python benchmarks/zh_pairs.py`.

The grader tells Chinese text from shuffled characters by the character pairs the bank's Chinese
uses (see `bot.core.grading.structure`); run this after adding many Chinese answers.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.content.loader import load_bank
from bot.core.grading import structure
from bot.core.grading.text import clean


def main() -> None:
    bank = load_bank()
    texts = [
        clean(t)
        for q in bank.questions
        for t in (q.prompt.zh, *((q.answer.zh,) if q.answer else ()), *(kp.zh for kp in q.key_points))
    ]
    target = Path(structure.__file__).with_name("zh_pairs.py")
    target.write_text(structure.pairs_source(texts), encoding="utf-8")
    print(f"{target}: written")


if __name__ == "__main__":
    main()
