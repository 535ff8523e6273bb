"""Telegram updates as core events. Pure functions: an update's objects in, an Incoming out."""

from __future__ import annotations

import re

from telegram import Message, User

from bot.core.actions import decode
from bot.core.events import ChatKind, ChatRef, Incoming, UserRef

PLATFORM = "telegram"

_COMMAND_TARGET = re.compile(r"^/[A-Za-z0-9_]+@([A-Za-z0-9_]+)")


def chat_kind(chat_type: str) -> ChatKind | None:
    if chat_type == "private":
        return ChatKind.PRIVATE
    if chat_type in ("group", "supergroup"):
        return ChatKind.GROUP
    return None  # channels post; they do not talk to us


def display_name(user: User) -> str:
    return (user.full_name or user.username or str(user.id)).strip()[:128]


def user_ref(user: User) -> UserRef:
    return UserRef(PLATFORM, str(user.id))


def chat_ref(chat_id: int, thread: int | None = None) -> ChatRef:
    """A chat, or one topic of a forum group ("-100123/45"): each topic is a study room of its own
    (its rounds, its question of the day), so everything of a round stays in its topic."""
    return ChatRef(PLATFORM, f"{chat_id}/{thread}" if thread else str(chat_id))


def split_ref(ref_id: str) -> tuple[int, int | None]:
    """The chat id and topic (message_thread_id) a ChatRef id names."""
    chat, _, thread = ref_id.partition("/")
    return int(chat), int(thread) if thread else None


def topic_of(message: object) -> int | None:
    """The forum topic a message was posted in (None: a chat without topics, or General)."""
    if isinstance(message, Message) and message.is_topic_message:
        return message.message_thread_id
    return None


def for_another_bot(text: str, bot_username: str) -> bool:
    """`/quiz@otherbot` in a group is not for us."""
    match = _COMMAND_TARGET.match(text)
    return bool(match) and match.group(1).casefold() != bot_username.casefold()  # type: ignore[union-attr]


def anonymous_sender(message: Message) -> int | None:
    """The chat a message was sent on behalf of: the group itself (an anonymous admin) or a channel."""
    return message.sender_chat.id if message.sender_chat is not None else None


def incoming_from_message(message: Message, bot_id: int, bot_username: str, is_admin: bool = False) -> Incoming | None:
    kind = chat_kind(message.chat.type)
    user = message.from_user
    sender = message.sender_chat
    if kind is None or user is None or (user.is_bot and sender is None):
        return None
    text = message.text or message.caption or ""
    if not text or for_another_bot(text, bot_username):
        return None
    replied = message.reply_to_message
    addressed = bool(replied and replied.from_user and replied.from_user.id == bot_id)
    # Sent as a chat (GroupAnonymousBot or a channel): that chat is who speaks.
    who = UserRef(PLATFORM, str(sender.id)) if sender is not None else user_ref(user)
    name = (sender.title or sender.username or str(sender.id))[:128] if sender is not None else display_name(user)
    return Incoming(
        chat=chat_ref(message.chat.id, topic_of(message)),
        user=who,
        user_name=name,
        chat_kind=kind,
        locale=user.language_code,
        text=text,
        addressed=addressed,
        is_admin=is_admin,
    )


def incoming_from_action(
    chat_id: int, chat_type: str, user: User, payload: str, is_admin: bool = False, thread: int | None = None
) -> Incoming:
    """A pressed button or a poll vote: its payload decoded (`Invalid` when it is none of ours)."""
    return Incoming(
        chat=chat_ref(chat_id, thread),
        user=user_ref(user),
        user_name=display_name(user),
        chat_kind=chat_kind(chat_type) or ChatKind.PRIVATE,
        locale=user.language_code,
        action=decode(payload),
        is_admin=is_admin,
    )
