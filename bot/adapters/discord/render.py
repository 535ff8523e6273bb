"""Replies as Discord messages: embeds within Discord's limits, every piece of text escaped.

Pure functions: a Reply in, the messages to send out (`OutMessage`), tested without a network.
Views and files are built only when a message is sent (`view()`, `files()`): a discord.ui.View
needs a running event loop and a discord.File can be read once.

- All text goes through `clean()`: `discord.utils.escape_markdown` plus neutralised mentions;
  every message is also sent with `allowed_mentions=none`, so nothing in content or a
  display name can ping anyone. The one exception is `Reply.mention`, a role id the core
  asks to notify (the question of the day): it becomes the message content `<@&id>`, and
  allowed_mentions lets exactly that role ping.
- Styles: title bold, note italic, spoiler `||…||`, ok/miss/item as bullets, code as escaped
  text (a backtick in the content could not be escaped inside a code span).
- Limits: an embed description holds at most 4,096 characters; a message carries one embed
  (so the 6,000 per-message total holds) and no content (2,000). Longer replies become
  several messages, split between paragraphs, or inside a huge paragraph at line breaks.
- Buttons: each core Button becomes an `ActionButton` (custom_id `sb:<action>`, ≤ 100); a
  QUESTION reply without a poll gets an "Answer" button that opens the answer modal; at most
  5 rows of 5. Buttons go on the last message of a reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.adapters.chunking import pack_parts
from bot.adapters.discord.components import (
    ACTION_PREFIX,
    ANSWER_PREFIX,
    BUTTON_LABEL_LIMIT,
    CUSTOM_ID_LIMIT,
    ActionButton,
    AnswerButton,
)
from bot.adapters.styling import BULLETS, Emphasis, Markup, wrapped
from bot.core.actions import encode
from bot.core.events import Attachment, Part, Reply, ReplyKind
from bot.core.labels import answer_label

DESCRIPTION_LIMIT = 4096
EMBED_TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000
MAX_ROWS = 5
MAX_PER_ROW = 5
_COLOR = {
    ReplyKind.QUESTION: discord.Colour.blurple(),
    ReplyKind.RESULT: discord.Colour.green(),
    ReplyKind.ERROR: discord.Colour.red(),
    ReplyKind.INFO: discord.Colour.light_grey(),
}
_MENTION = re.compile(r"<(@[!&]?|#|/)")
_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")  # a bracket after an even run of backslashes is live
_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")

NO_MENTIONS = discord.AllowedMentions.none()


def discord_wording(part: Part) -> Part:
    """`part` as worded where answers go through a button and a form: a Discord bot without the
    privileged message-content intent never reads typed answers."""
    return replace(part, text=part.form_text) if part.form_text is not None else part


def clean(text: str) -> str:
    """Markdown escaped, mentions (@everyone, @here, <@id>, <#id>, <@&id>) made inert, and every
    bracket escaped: `escape_markdown` escapes only a text's first `[`, so `[a](b)[nitro](https://x.co)`
    would still be a working masked link."""
    escaped = escape_markdown(_MENTION.sub(lambda m: "<\u200b" + m.group(1), escape_mentions(text)))
    return _BRACKET.sub(r"\1\\\2", escaped)


# Code stays escaped text: a backtick in the content could not be escaped inside a code span.
MARKDOWN = Markup(
    clean,
    {Emphasis.STRONG: wrapped("**", "**"), Emphasis.HIDDEN: wrapped("||", "||"), Emphasis.SUBTLE: wrapped("*", "*")},
    BULLETS,
    wrap_blank=False,
)


def part_markdown(part: Part) -> str:
    return MARKDOWN.render(part)


def descriptions(parts: tuple[Part, ...], limit: int = DESCRIPTION_LIMIT) -> list[str]:
    """The parts as markdown, packed into descriptions of at most `limit` characters."""
    return ["\n".join(part_markdown(p) for p in group) for group in pack_parts(parts, part_markdown, limit)]


@dataclass(frozen=True)
class ButtonSpec:
    label: str
    custom_id: str
    answer: bool = False  # the adapter's Answer button (opens the modal)

    def item(self) -> discord.ui.Item[Any]:
        if self.answer:
            return AnswerButton(self.custom_id.partition(":")[2], self.label)
        return ActionButton(self.custom_id[len(ACTION_PREFIX) :], self.label)


@dataclass(frozen=True)
class OutMessage:
    """One Discord message: an embed, maybe buttons, maybe a file."""

    embeds: tuple[discord.Embed, ...]
    rows: tuple[tuple[ButtonSpec, ...], ...] = ()
    attachment: Attachment | None = None
    ephemeral: bool = False
    content: str | None = None  # only ever a role mention the core asked for (Reply.mention)
    mention_role: int | None = None  # the one role this message may ping

    @property
    def filename(self) -> str | None:
        return attachment_name(self.attachment) if self.attachment else None

    def view(self) -> discord.ui.View | None:
        if not self.rows:
            return None
        view = discord.ui.View(timeout=None)
        for r, row in enumerate(self.rows):
            for spec in row:
                item = spec.item()
                item.row = r
                view.add_item(item)
        return view

    def files(self) -> list[discord.File]:
        if self.attachment is None:
            return []
        import io

        return [discord.File(io.BytesIO(self.attachment.data), filename=self.filename)]

    def kwargs(self, *, interaction: bool = False) -> dict[str, Any]:
        """Keyword arguments for channel.send / response.send_message / followup.send."""
        mentions = NO_MENTIONS
        if self.mention_role is not None:
            mentions = discord.AllowedMentions(
                everyone=False, users=False, replied_user=False, roles=[discord.Object(self.mention_role)]
            )
        out: dict[str, Any] = {"embeds": list(self.embeds), "allowed_mentions": mentions}
        if self.content:
            out["content"] = self.content
        view = self.view()
        if view is not None:
            out["view"] = view
        files = self.files()
        if files:
            out["files"] = files
        if interaction:
            out["ephemeral"] = self.ephemeral
        return out


def attachment_name(attachment: Attachment) -> str:
    """A safe file name (never a path): letters, digits, dot, dash, underscore."""
    name = _FILENAME.sub("_", Path(attachment.filename).name).strip("._") or "file"
    return name[:100]


def button_rows(reply: Reply) -> tuple[tuple[ButtonSpec, ...], ...]:
    rows: list[tuple[ButtonSpec, ...]] = []
    if reply.answer_form is not None:
        label = answer_label(reply.lang)
        rows.append((ButtonSpec(label, ANSWER_PREFIX + encode(reply.answer_form), answer=True),))
    for row in reply.buttons:
        specs = tuple(
            ButtonSpec(b.label[:BUTTON_LABEL_LIMIT], custom_id)
            for b in row
            if len(custom_id := ACTION_PREFIX + encode(b.action)) <= CUSTOM_ID_LIMIT
        )
        for i in range(0, len(specs), MAX_PER_ROW):
            rows.append(specs[i : i + MAX_PER_ROW])
    if len(rows) > 1 and rows[0][0].answer and len(rows[1]) < MAX_PER_ROW:
        rows[0:2] = [rows[0] + rows[1]]  # the Answer button sits first in the first row
    return tuple(r for r in rows if r)[:MAX_ROWS]


def render(reply: Reply) -> list[OutMessage]:
    """The messages that show `reply`; buttons and the attachment go on the last one."""
    parts = tuple(discord_wording(p) for p in reply.parts)
    attachment = reply.attachment
    if attachment is not None and attachment.caption:
        parts = (*parts, Part(attachment.caption, "note"))
    texts = descriptions(parts)
    if not texts and attachment is None and not reply.buttons:
        return []
    if not texts:
        texts = [""]
    colour = _COLOR.get(reply.kind, discord.Colour.light_grey())
    rows = button_rows(reply)
    mention = reply.mention if reply.mention and reply.mention.isdigit() else None
    out: list[OutMessage] = []
    for i, text in enumerate(texts):
        last = i == len(texts) - 1
        embed = discord.Embed(description=text or None, colour=colour)
        if last and attachment is not None and attachment.kind == "image":
            embed.set_image(url=f"attachment://{attachment_name(attachment)}")
        out.append(
            OutMessage(
                embeds=(embed,),
                rows=rows if last else (),
                attachment=attachment if last else None,
                ephemeral=reply.ephemeral,
                content=f"<@&{mention}>" if mention and i == 0 else None,
                mention_role=int(mention) if mention and i == 0 else None,
            )
        )
    return out


def embed_size(embed: discord.Embed) -> int:
    """Characters that count toward Discord's 6,000 per-message total."""
    return len(embed)
