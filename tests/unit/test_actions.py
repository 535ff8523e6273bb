"""The typed actions: every one round-trips, fits both platforms' limits, and garbage never raises."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.discord.components import ACTION_PREFIX, ANSWER_PREFIX, CUSTOM_ID_LIMIT, MODAL_PREFIX
from bot.adapters.telegram.render import CALLBACK_DATA_LIMIT
from bot.content.bank import Bank
from bot.core.actions import (
    Action,
    AnswerForm,
    FollowUp,
    Invalid,
    Pick,
    decode,
    decode_form,
    encode,
)
from tests.strategies import actions

LONGEST_PREFIX = max(len(p) for p in (ACTION_PREFIX, ANSWER_PREFIX, MODAL_PREFIX))


@given(actions())
def test_every_action_round_trips(action: Action) -> None:
    assert decode(encode(action)) == action


@given(actions())
def test_every_action_fits_telegram_and_discord(action: Action) -> None:
    payload = encode(action)
    assert len(payload.encode()) <= CALLBACK_DATA_LIMIT
    assert len(payload) + LONGEST_PREFIX <= CUSTOM_ID_LIMIT


def test_every_question_of_the_bank_fits_a_follow_up_button(bank: Bank) -> None:
    for q in bank.questions:
        assert decode(encode(FollowUp(q.id))) == FollowUp(q.id)
        assert len(encode(FollowUp(q.id)).encode()) <= CALLBACK_DATA_LIMIT


@given(st.text(max_size=200))
def test_garbage_decodes_to_invalid_never_an_exception(payload: str) -> None:
    decoded = decode(payload)
    assert isinstance(decoded, Invalid) or decode(encode(decoded)) == decoded
    assert isinstance(decode_form(payload), AnswerForm | Invalid)


@given(actions(), st.sampled_from(["", ":", "x", "\n", " ", "²", ":0", "0"]), st.booleans())
def test_a_damaged_payload_is_invalid_or_another_well_formed_action(action: Action, extra: str, front: bool) -> None:
    payload = extra + encode(action) if front else encode(action) + extra
    decoded = decode(payload)
    assert isinstance(decoded, Invalid) or decode(encode(decoded)) == decoded


def test_forged_payloads_are_invalid() -> None:
    for payload in (
        "",
        "garbage:::",
        "hint:²",
        "mc:١:٢",
        "rate:１:good",
        "rate:1:great",
        "fu:",
        "fu:Not_An_Id",
        "hint:" + "9" * 5000,
        "mc:1:2\n",
        "session:",
        "round:-1",
        "hint:123456789012",
    ):
        assert isinstance(decode(payload), Invalid), payload
    assert decode("quiz") == decode("quiz:")  # buttons of older versions
    assert decode("mc:12:3") == Pick(12, 3)
    assert isinstance(decode_form("hint:3"), Invalid) and decode_form("round:3") == AnswerForm(round=3)
