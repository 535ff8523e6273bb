"""Hypothesis strategies for the core's typed actions: every kind, with ids up to their limits."""

from __future__ import annotations

from hypothesis import strategies as st

from bot.content.schema import QUESTION_ID_MAX
from bot.core import actions as a
from bot.core.modes import Mode

ids = st.integers(0, 10**a.ID_DIGITS - 1)
options = st.integers(0, 9)
question_ids = st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)*", fullmatch=True).filter(lambda s: len(s) <= QUESTION_ID_MAX)


def actions() -> st.SearchStrategy[a.Action]:
    """Any action the core may put on a button, a poll or a form."""
    return st.one_of(
        st.builds(a.Ask, st.sampled_from([Mode.QUIZ, Mode.MC, Mode.REVIEW])),
        st.builds(a.FollowUp, question_ids),
        st.builds(a.Hint, ids),
        st.builds(a.Reveal, ids),
        st.builds(a.Skip, ids),
        st.builds(a.Pick, ids, options),
        st.builds(a.Rate, ids, st.sampled_from(a.RATING_NAMES)),
        st.builds(a.RoundPick, ids, options),
        st.builds(a.RoundReveal, ids),
        st.builds(a.ConfirmForget, ids),
        st.builds(lambda s: a.AnswerForm(session=s), ids),
        st.builds(lambda r: a.AnswerForm(round=r), ids),
    )
