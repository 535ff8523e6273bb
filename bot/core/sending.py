"""What became of a message the core asked an adapter to send: one result type for every platform.

An adapter maps each platform error to one of these (README, "What a send can end in"):

- `Delivered`: the platform accepted it. Only this is ever recorded as sent.
- `Gone`: the chat is no more (deleted, account deactivated): its subscriptions stop.
- `Paused`: the chat exists but the bot may not post there (blocked, kicked, missing
  permissions): its subscriptions pause and resume by themselves at the next command used
  there or the next send that succeeds.
- `Retry`: nothing was sent (5xx, network down, rate limit past the budget): try again later.
- `Uncertain`: a timeout after the request left; the platform may have accepted it. Never
  resent at once: the claim is kept and settled by the lease (at-least-once, see README).
- `Refused`: the platform refused this one message (a bad request); the chat is fine.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Delivered:
    message_id: str | None = None


@dataclass(frozen=True)
class Gone:
    reason: str


@dataclass(frozen=True)
class Paused:
    reason: str


@dataclass(frozen=True)
class Retry:
    reason: str
    after: float = 0.0  # seconds the platform asked us to wait, when it said


@dataclass(frozen=True)
class Uncertain:
    reason: str


@dataclass(frozen=True)
class Refused:
    reason: str


SendResult = Delivered | Gone | Paused | Retry | Uncertain | Refused


def delivered(result: SendResult) -> bool:
    return isinstance(result, Delivered)


def unreachable(result: SendResult) -> bool:
    """The chat itself cannot take messages (as opposed to this one message or this moment)."""
    return isinstance(result, Gone | Paused)
