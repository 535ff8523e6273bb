"""What the platforms tell us about a chat on their own: it cannot be reached, or it moved."""

from __future__ import annotations

import logging

from bot.core.events import ChatRef
from bot.core.ports.store import Store

log = logging.getLogger(__name__)


async def mark_unreachable(store: Store, chat: ChatRef) -> None:
    """The platform says we cannot post there any more (blocked, kicked, deleted)."""
    async with store.transaction() as tx:
        await tx.chats.set_active(chat, False)
        stopped = await tx.subscriptions.deactivate_chat(chat)
    log.info("chat %s is unreachable: marked inactive, %d subscription(s) stopped", chat.key(), stopped)


async def mark_migrated(store: Store, old: ChatRef, new: ChatRef) -> None:
    """A chat got a new id on its platform (a Telegram group became a supergroup)."""
    async with store.transaction() as tx:
        await tx.chats.move(old, new)
    log.info("chat %s moved to %s", old.key(), new.key())
