"""What kind of question a session, a round or an answer is: stored as these same strings."""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    QUIZ = "quiz"  # a free-text question, graded
    MC = "mc"  # multiple choice
    REVIEW = "review"  # a due card, asked as a free-text question
    CARD = "card"  # a flashcard: the learner turns it over, then rates it
    RATE = "rate"  # after /reveal: waiting for the learner's own rating
    RATE_CARD = "rate-card"  # after a flashcard's back: waiting for its rating
    ROUND = "round"  # an answer given in a group round (answers only)
    RETRY = "retry"  # after a weak answer: one more try before the model answer (not scheduled)
    INTERVIEW = "interview"  # a mock interview's question: graded silently, reported at the end


# Sessions waiting for the learner's own rating: after a reveal, and after a flashcard's back.
RATE_MODES = frozenset({Mode.RATE, Mode.RATE_CARD})
# Sessions a hint helps: free-text questions.
HINT_MODES = frozenset({Mode.QUIZ, Mode.REVIEW})
# Sessions answered in free text, where an accidental "ok" must not count as the answer.
FREE_TEXT_MODES = frozenset({Mode.QUIZ, Mode.REVIEW, Mode.RETRY, Mode.INTERVIEW})
