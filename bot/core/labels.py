"""The few texts adapters show on their own: in the core's catalog, asked for by meaning."""

from __future__ import annotations

from bot.core.i18n import t


def answer_label(lang: str) -> str:
    """The "Answer" button and form title, where answers are given through a form."""
    return t(lang, "btn.answer")


def cannot_post_here(lang: str, *, channel: str, guild: str) -> str:
    """Told once to a server's owner: the bot lacks the permissions to post in `channel`."""
    return t(lang, "discord.missing_permissions", channel=channel, guild=guild)
