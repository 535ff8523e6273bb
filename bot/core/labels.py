"""The few texts adapters show on their own: in the core's catalog, asked for by meaning."""

from __future__ import annotations

from bot.core.i18n import t


def answer_label(lang: str) -> str:
    """The "Answer" button and form title, where answers are given through a form."""
    return t(lang, "btn.answer")


def cannot_post_here(lang: str, *, channel: str, guild: str) -> str:
    """Told once to a server's owner: the bot lacks the permissions to post in `channel`."""
    return t(lang, "discord.missing_permissions", channel=channel, guild=guild)


def open_private_chat(lang: str, *, link: str) -> str:
    """Told to a group (rarely): members who never opened a private chat get no feedback until they do."""
    return t(lang, "telegram.open_private", link=link)


def feedback_waiting(lang: str) -> str:
    """Heads the feedback kept for a member until they opened the private chat."""
    return t(lang, "telegram.feedback_waiting")


def only_sees(lang: str, *, name: str) -> str:
    """Heads a reply in a terminal group room meant for the person typing alone (their private feedback)."""
    return t(lang, "terminal.only_sees", name=name)
