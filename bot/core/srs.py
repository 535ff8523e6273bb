"""Spaced repetition with the `fsrs` package: our stored CardState in, the package's maths, out.

Rating a free-text answer (documented in the README):
  score >= 85  -> Good
  60 .. 84     -> Hard
  below 60     -> Again (a reveal counts as Again unless the learner rates it)
Multiple choice: right -> Good, wrong -> Again. Flashcards: the learner's own rating.
Easy is only ever the learner's own choice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from fsrs import Card, Rating, Scheduler, State

from bot.core.ports.cards import CardState

GOOD_AT = 0.85
HARD_AT = 0.60
# A card failed this many times after it was first learned is a leech: it needs a new approach.
LEECH_LAPSES = 4

# Fuzzing spreads due dates randomly; off, so schedules are reproducible (and testable).
_SCHEDULER = Scheduler(enable_fuzzing=False)

RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}
# What a self-rated flashcard counts for in accuracy statistics.
RATING_SCORE = {Rating.Again: 0.0, Rating.Hard: 0.5, Rating.Good: 0.85, Rating.Easy: 1.0}


def rating_for_score(score: float) -> Rating:
    if score >= GOOD_AT:
        return Rating.Good
    if score >= HARD_AT:
        return Rating.Hard
    return Rating.Again


# Our cards are keyed by (learner, question); fsrs's own card id is unused. Passing one also
# skips the 1 ms sleep fsrs takes to make time-based ids unique.
_CARD_ID = 0


def _to_fsrs(card: CardState) -> Card:
    return Card(
        card_id=_CARD_ID,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def new_card(question_id: str, now: datetime) -> CardState:
    fresh = Card(card_id=_CARD_ID, due=now)
    return CardState(question_id, int(fresh.state), fresh.step, None, None, now, None)


def review(card: CardState | None, question_id: str, rating: Rating, now: datetime) -> tuple[CardState, bool]:
    """The card after `rating` at `now`, and whether it has just become a leech."""
    card = card or new_card(question_id, now)
    updated, _ = _SCHEDULER.review_card(_to_fsrs(card), rating, now)
    lapsed = rating == Rating.Again and card.last_review is not None
    lapses = card.lapses + (1 if lapsed else 0)
    leech = card.leech or lapses >= LEECH_LAPSES
    result = replace(
        card,
        state=int(updated.state),
        step=updated.step,
        stability=updated.stability,
        difficulty=updated.difficulty,
        due=updated.due,
        last_review=updated.last_review,
        reps=card.reps + 1,
        lapses=lapses,
        leech=leech,
    )
    return result, leech and not card.leech


# Mastered: the card is in FSRS's Review state (not learning, not relearning after a lapse) with a
# stability of at least this many days, i.e. the model expects 90 % recall a week after the last
# review. One good answer never gets there (a first Good is ~2-3 days of stability); a failure
# drops the card to Relearning at once, so readiness shows a miss the moment it happens.
MASTERED_STABILITY_DAYS = 7.0


def mastered(card: CardState) -> bool:
    return card.state == State.Review and (card.stability or 0.0) >= MASTERED_STABILITY_DAYS


def struggling(card: CardState) -> bool:
    """Failed since it was learned and not yet relearned (FSRS's Relearning state)."""
    return card.state == State.Relearning


def retrievability(card: CardState, now: datetime) -> float:
    """The probability the learner recalls this card now (0 for a card never reviewed)."""
    if card.last_review is None:
        return 0.0
    return float(_SCHEDULER.get_card_retrievability(_to_fsrs(card), now))
