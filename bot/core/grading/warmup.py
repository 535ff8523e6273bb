"""Start-up work for the grader: analyse every rubric text once, then take it out of the GC's way.

A bank's rubric texts (prompts, references, key points, aliases, in both languages) are analysed and
cached on first use. Doing it at start-up keeps that work off a learner's answer, and freezing what
start-up built (`gc.freeze`) keeps the cyclic garbage collector from walking the bank and those
analyses on every full collection: without it a full collection, which a long answer can trigger,
costs about as much as grading one. It takes a few seconds for the whole bank, so the bot runs it
in a background thread (`bot/bootstrap.py`) and answers meanwhile. The collector's first threshold
is raised at the same time (see GEN0_THRESHOLD).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable

from bot.core.grading.credit import prepare
from bot.core.grading.features import analyse_rubric
from bot.core.grading.rubric import Rubric
from bot.core.grading.text import clean_rubric, phrase_pattern

LANGS = ("en", "zh")


def warm(rubrics: Iterable[Rubric], stop: threading.Event | None = None) -> int:
    """Analyse every text the grader reads from these rubrics (until `stop` is set); returns how many."""
    n = 0
    for rubric in rubrics:
        if stop is not None and stop.is_set():
            break
        n += 1
        texts = list(rubric.prompts)
        for lang in LANGS:
            texts += rubric.references_for(lang)
            texts += [p.text(lang) for p in rubric.points]
        for text in texts:
            analysis = analyse_rubric(clean_rubric(text))
            _ = analysis.soft_index, analysis.grams  # built on first use: here, not on a learner's answer
        for point in rubric.points:
            for alias in point.aliases:
                phrase_pattern(alias)
        prepare(rubric)
    return n


# A grade builds thousands of short-lived containers (a 4,000-character answer: lists, tuples and clauses by
# the thousand at its peak), all freed by reference counting when it ends. At CPython's default first
# threshold (700) the collector ran several times inside such a grade and walked them each time: about a
# tenth of grading's CPU, and most of its p99 (`benchmarks/grading_speed.py` prints the collector's share).
# Above a grade's peak, collections come only from what really accumulates (caches, cycles) and seldom
# land inside a grade; cyclic garbage waits for at most this many new objects.
GEN0_THRESHOLD = 20_000


def freeze() -> None:
    """Move everything alive now into the GC's permanent generation and raise the collector's first
    threshold to GEN0_THRESHOLD (call once, after start-up)."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(GEN0_THRESHOLD, middle, oldest)


def warm_and_freeze(rubrics: Iterable[Rubric], stop: threading.Event | None = None) -> int:
    """`warm`, then `freeze` unless stopped first: what start-up runs, in a thread of its own."""
    n = warm(rubrics, stop)
    if stop is None or not stop.is_set():
        freeze()
    return n
