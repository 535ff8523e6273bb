"""Buttons and the answer modal, restart-proof: everything a press needs is in its custom_id.

Two kinds of button, both `discord.ui.DynamicItem`s registered with the client, so a press on
a message sent before a restart still maps back to the core:

- `sb:<action>`  a core Button (its action encoded by bot.core.actions): the press becomes
  `Incoming(action=decode(<action>))`.
- `sba:<form>`   the "Answer" button of a question (`Reply.answer_form`, encoded): it opens the modal.

The modal's custom_id is `sbm:<form>`; its submit is handled in the client's `on_interaction`
(not through discord.py's modal store), so a modal opened before a restart still arrives.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

import discord

if TYPE_CHECKING:
    from collections.abc import Sequence

CUSTOM_ID_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
MODAL_TITLE_LIMIT = 45
TEXT_INPUT_LABEL_LIMIT = 45
ANSWER_MAX_LENGTH = 4000
ANSWER_INPUT_ID = "answer"

ACTION_PREFIX = "sb:"
ANSWER_PREFIX = "sba:"
MODAL_PREFIX = "sbm:"
# What an encoded answer form (bot.core.actions.AnswerForm) may look like: "session:12", "round:3".
_REF = r"[A-Za-z0-9_:.\-]{0,90}"


class Handler(Protocol):
    """What the components call back into (the adapter)."""

    async def on_action(self, interaction: discord.Interaction[Any], payload: str) -> None: ...

    async def on_answer_button(self, interaction: discord.Interaction[Any], ref: str) -> None: ...


def handler_of(interaction: discord.Interaction[Any]) -> Handler:
    return interaction.client.studybot_handler  # type: ignore[no-any-return]


def safe_ref(ref: str | None) -> str:
    return ref if ref and re.fullmatch(_REF, ref) else ""


class ActionButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"sb:(?P<action>.{1,97})"):
    """A core Button; pressing it sends its action to the core."""

    def __init__(self, action: str, label: str = "?", style: discord.ButtonStyle = discord.ButtonStyle.secondary):
        super().__init__(
            discord.ui.Button(label=label[:BUTTON_LABEL_LIMIT] or "?", style=style, custom_id=ACTION_PREFIX + action)
        )
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ActionButton:
        return cls(match["action"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await handler_of(interaction).on_action(interaction, self.action)


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"sba:(?P<ref>" + _REF + ")"):
    """The "Answer" button under a question: opens a modal for a free-text answer."""

    def __init__(self, ref: str, label: str = "Answer"):
        super().__init__(
            discord.ui.Button(
                label=label[:BUTTON_LABEL_LIMIT] or "Answer",
                style=discord.ButtonStyle.primary,
                custom_id=ANSWER_PREFIX + ref,
            )
        )
        self.ref = ref

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        return cls(match["ref"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await handler_of(interaction).on_answer_button(interaction, self.ref)


class AnswerModal(discord.ui.Modal):
    """A paragraph input of up to 4,000 characters. Submits are handled by the client, not here."""

    def __init__(self, ref: str, title: str, label: str, placeholder: str = "") -> None:
        super().__init__(
            title=title[:MODAL_TITLE_LIMIT] or "Answer", timeout=15 * 60, custom_id=MODAL_PREFIX + safe_ref(ref)
        )
        self.answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            label=label[:TEXT_INPUT_LABEL_LIMIT] or "Answer",
            style=discord.TextStyle.paragraph,
            custom_id=ANSWER_INPUT_ID,
            max_length=ANSWER_MAX_LENGTH,
            min_length=1,
            required=True,
            placeholder=placeholder[:100] or None,
        )
        self.add_item(self.answer)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Nothing: the client's on_interaction answers every `sbm:` submit (restart-proof)."""


def modal_answer(components: Sequence[dict[str, Any]]) -> str | None:
    """The answer typed into a submitted modal (action rows and labels are walked)."""
    for component in components:
        if component.get("type") == 4 and component.get("custom_id") == ANSWER_INPUT_ID:
            return str(component.get("value") or "")
        nested = component.get("components")
        if nested is None and isinstance(component.get("component"), dict):
            nested = [component["component"]]
        if nested:
            found = modal_answer(nested)
            if found is not None:
                return found
    return None


DYNAMIC_ITEMS = (ActionButton, AnswerButton)
