"""What the platforms tell us about a chat on their own: it cannot be reached, or it moved."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.core.daily.schedule import When, next_occurrence
from bot.core.events import ChatRef
from bot.core.ports.people import Chat
from bot.core.ports.store import Store, Tx
from bot.core.sending import Gone, Paused, SendResult

log = logging.getLogger(__name__)


async def mark_unreachable(store: Store, chat: ChatRef) -> None:
    """The platform says we cannot post there any more (blocked, kicked, deleted)."""
    async with store.transaction() as tx:
        await tx.chats.set_active(chat, False)
        stopped = await tx.subscriptions.deactivate_chat(chat)
    log.info("chat %s is unreachable: marked inactive, %d subscription(s) stopped", chat.key(), stopped)


async def mark_paused(store: Store, chat: ChatRef, reason: str) -> None:
    """The chat exists but will not take our messages (blocked, kicked, no permission): pause it."""
    async with store.transaction() as tx:
        await tx.chats.set_active(chat, False)
        paused = await tx.subscriptions.pause_chat(chat, reason)
    log.info("chat %s will not take messages (%s): %d subscription(s) paused", chat.key(), reason, paused)


async def settle(store: Store, chat: ChatRef, result: SendResult) -> None:
    """What a failed send means for the chat: gone stops its subscriptions, paused pauses them."""
    if isinstance(result, Gone):
        await mark_unreachable(store, chat)
    elif isinstance(result, Paused):
        await mark_paused(store, chat, result.reason)


async def resume_paused(tx: Tx, chat: Chat, now: datetime) -> str | None:
    """A command was used in `chat`: a paused subscription runs again (as the pause notice says).

    Returns why it had been paused, or None when nothing was.
    """
    sub = await tx.subscriptions.for_chat(chat.id)
    if sub is None or sub.paused is None:
        return None
    due, _ = next_occurrence(When(sub.hour, sub.minute, sub.tz, sub.days), now)
    await tx.subscriptions.resume(chat.id, due)
    log.info("chat %s used a command: its paused subscription runs again", chat.ref.key())
    return sub.paused


async def mark_migrated(store: Store, old: ChatRef, new: ChatRef) -> None:
    """A chat got a new id on its platform (a Telegram group became a supergroup)."""
    async with store.transaction() as tx:
        await tx.chats.move(old, new)
    log.info("chat %s moved to %s", old.key(), new.key())
