"""The Discord adapter: slash commands, buttons and a modal in; embeds out. All decisions stay in the core.

- Started by `studybot run` on the shared loop: `client.login(token)` then `client.connect()`
  as a task (never `client.run()`); `start()` returns once the gateway says READY.
- Every interaction becomes one `Incoming`: a slash command its command line ("/quiz rag"),
  a button its action, a modal submit its answer text (addressed). Guild channels are GROUP
  chats (rounds, leaderboards), DMs PRIVATE; Manage Server makes a member the group's admin.
- Replies are answered within Discord's 3-second deadline: when the core has not answered
  after `defer_after` seconds the interaction is deferred and the replies follow up.
  `Reply.ephemeral` becomes an ephemeral response or followup.
- `send()` posts what the core sends on its own (round summaries, the question of the day) and
  says how it ended (bot/adapters/discord/outcomes.py): 403 -> paused (for missing access or
  permissions the guild owner is told once by DM), 404 unknown channel -> gone, 5xx -> retry,
  a timeout -> uncertain. 429s are waited out by discord.py's rate limiter first.
- DISCORD_API_BASE_URL points REST (and interaction callbacks and webhooks, which share
  discord.py's `Route.BASE`) elsewhere; DISCORD_GATEWAY_URL the websocket (every gateway
  connect, resumes included, goes there). Commands sync to DISCORD_DEV_GUILD at once when
  set, else globally at start-up when their payload changed (hash kept via bot.remember).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.http import Route

from bot.adapters.base import Revocation, TokenRejected, Unreachable
from bot.adapters.discord.commands import (
    CHOICE_NAME_LIMIT,
    CHOICES_LIMIT,
    ZhTranslator,
    build_commands,
    command_payload,
    payload_hash,
)
from bot.adapters.discord.components import DYNAMIC_ITEMS, MODAL_PREFIX, AnswerModal, modal_answer
from bot.adapters.discord.outcomes import result_of, token_rejected, wants_admin_told
from bot.adapters.discord.render import NO_MENTIONS, clean, render
from bot.adapters.live import LiveMessages
from bot.adapters.ordering import ChatQueues
from bot.core.actions import Action, Invalid, decode, decode_form
from bot.core.commands import ephemeral_first
from bot.core.events import ChatKind, ChatRef, Incoming, Reply, UserRef
from bot.core.i18n import lang_from_locale
from bot.core.labels import answer_label, cannot_post_here
from bot.core.sending import Delivered, Gone, SendResult

if TYPE_CHECKING:
    from bot.core.app import StudyBot

log = logging.getLogger(__name__)

PLATFORM = "discord"
API_VERSION = 10
DEFER_AFTER = 2.0  # seconds; Discord drops an interaction not answered within 3
# A round's live standings: at most one edit every 2 s per channel (Discord allows about 5 per 5 s).
LIVE_EDIT_SECONDS = 2.0
SEND_TIMEOUT = 60.0  # seconds a post may take, discord.py's own 429 waits included
COMMANDS_HASH_KEY = "discord:commands-hash"
COMMANDS_HASH_TTL = timedelta(days=3650)
TOLD_ADMIN_TTL = timedelta(days=30)
NONCE_MAX = 25

Deferred = Literal["none", "public", "ephemeral", "update"]


def nonce(dedup: str | None, part: int) -> dict[str, str]:
    """The nonce of one message of a reply (as send() keywords): discord.py sends it with
    `enforce_nonce`, so Discord answers a resend within a few minutes with the message it already
    has instead of posting it twice. At most 25 characters (Discord's limit): a longer key is hashed."""
    if dedup is None:
        return {}
    value = f"{dedup}.{part}"
    return {"nonce": value if len(value) <= NONCE_MAX else hashlib.blake2b(value.encode(), digest_size=12).hexdigest()}


def api_base(url: str) -> str:
    """`http://host:port` or `.../api` or `.../api/v10` -> the REST base discord.py's Route uses."""
    url = url.strip().rstrip("/")
    if re.search(r"/api/v\d+$", url):
        return url
    if url.endswith("/api"):
        return f"{url}/v{API_VERSION}"
    return f"{url}/api/v{API_VERSION}"


def gateway_target(configured: str, requested: str) -> str:
    """The configured gateway URL with the query discord.py asked for (v, encoding, compress)."""
    target = yarl.URL(configured)
    asked = yarl.URL(requested)
    return str(target.with_query({**asked.query, **target.query}))


class _StudyClientMixin:
    """The adapter attached to a discord.py client (components and commands call back through it)."""

    def __init__(self, handler: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.studybot_handler = handler

    async def setup_hook(self) -> None:
        await self.studybot_handler.setup()

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            data: dict[str, Any] = dict(interaction.data or {})
            custom_id = str(data.get("custom_id", ""))
            if custom_id.startswith(MODAL_PREFIX):
                await self.studybot_handler.on_modal(interaction)


class StudyClient(_StudyClientMixin, discord.Client):
    """One gateway connection: every shard when the bot is not sharded."""


class ShardedStudyClient(_StudyClientMixin, discord.AutoShardedClient):
    """The shards this process owns (DISCORD_SHARD_IDS of DISCORD_SHARD_COUNT): processes split a
    large bot's guilds between them; each guild's events reach exactly one process."""


class DiscordAdapter:
    platform = PLATFORM

    def __init__(
        self,
        bot: StudyBot,
        token: str,
        *,
        api_base_url: str | None = None,
        gateway_url: str | None = None,
        dev_guild: int | None = None,
        defer_after: float = DEFER_AFTER,
        live_interval: float = LIVE_EDIT_SECONDS,
        send_timeout: float = SEND_TIMEOUT,
        ready_timeout: float = 60.0,
        client_options: dict[str, Any] | None = None,
        shard_count: int | None = None,
        shard_ids: tuple[int, ...] | None = None,
    ) -> None:
        self.bot = bot
        self._token = token
        self.api_base_url = api_base(api_base_url) if api_base_url else None
        self.gateway_url = gateway_url or None
        self.dev_guild = dev_guild
        self.defer_after = defer_after
        self.live: LiveMessages[int, int] = LiveMessages(self._post_live, self._edit_live, live_interval)
        self.send_timeout = send_timeout
        self.ready_timeout = ready_timeout
        # No voice here: skip discord.py's start-up warnings about voice libraries.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        intents = discord.Intents.none()
        intents.guilds = True  # channels, owners and permissions; no privileged intent
        options = {"intents": intents, "chunk_guilds_at_startup": False, "max_messages": None, **(client_options or {})}
        self.client: StudyClient | ShardedStudyClient
        if shard_count:
            ids = list(shard_ids if shard_ids is not None else range(shard_count))
            self.client = ShardedStudyClient(self, shard_count=shard_count, shard_ids=ids, **options)
        else:
            self.client = StudyClient(self, **options)
        self.tree: app_commands.CommandTree[Any] = app_commands.CommandTree(self.client)
        self.translator = ZhTranslator()
        self.sync_result: str | None = None  # "guild", "global", "unchanged" or "failed"
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[Any]] = set()
        self.queues = ChatQueues()
        self._stopping = False
        self._saved_base: str | None = None
        self._set_up = False
        self.revocation = Revocation()
        if self.gateway_url:
            self._route_gateway(self.gateway_url)

    def __repr__(self) -> str:  # never the token
        return f"DiscordAdapter(api={self.api_base_url!r}, gateway={self.gateway_url!r})"

    # -- lifecycle ---------------------------------------------------------------------------

    def _route_gateway(self, configured: str) -> None:
        http = self.client.http
        original = http.ws_connect

        async def ws_connect(url: str, *, compress: int = 0) -> Any:
            return await original(gateway_target(configured, url), compress=compress)

        http.ws_connect = ws_connect  # type: ignore[method-assign]

    def _point_rest(self) -> None:
        # Route.BASE is a class attribute shared by REST, interaction callbacks and webhooks.
        if self.api_base_url:
            self._saved_base = Route.BASE
            Route.BASE = self.api_base_url

    def _restore_rest(self) -> None:
        if self._saved_base is not None:
            Route.BASE = self._saved_base
            self._saved_base = None

    async def start(self) -> None:
        self._point_rest()
        try:
            try:
                await self.client.login(self._token)
            except discord.LoginFailure as exc:
                raise TokenRejected(f"Discord rejected DISCORD_BOT_TOKEN ({exc})") from None
            except (aiohttp.ClientError, OSError, discord.DiscordServerError) as exc:
                where = yarl.URL(self.api_base_url or Route.BASE).host
                raise Unreachable(f"Discord's API at {where}: {type(exc).__name__} {exc}"[:300]) from None
            self._task = asyncio.create_task(self.client.connect(reconnect=True), name="discord-gateway")
            self._task.add_done_callback(self._gateway_ended)
            ready = asyncio.create_task(self.client.wait_until_ready())
            done, _ = await asyncio.wait(
                {ready, self._task}, timeout=self.ready_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if not ready.done():
                ready.cancel()
            if self._task in done:
                self._task.result()  # raises what ended the gateway
                raise RuntimeError("the Discord gateway closed during start-up")
            if ready not in done:
                log.warning("Discord: not READY after %.0f s; still trying", self.ready_timeout)
        except BaseException:
            await self._close()
            self.client.clear()  # a later start() may try again with the same client
            raise
        log.info("Discord: connected as %s", self.client.user)

    def _gateway_ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or (error := task.exception()) is None or self._stopping:
            return
        if token_rejected(error):
            self._token_rejected()
        else:
            log.error("Discord gateway stopped", exc_info=error)

    def _token_rejected(self) -> None:
        self.revocation.report("Discord rejected DISCORD_BOT_TOKEN while running (401 Unauthorized)")

    async def revoked(self) -> str:
        return await self.revocation.wait()

    async def stop(self) -> None:
        self._stopping = True
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=15)
        await self._close()

    async def _close(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.close()
        if self._task is not None:
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(self._task, timeout=10)
        self._restore_rest()

    async def setup(self) -> None:
        """Called by discord.py once logged in (the application id is known): items, commands, sync."""
        if not self._set_up:
            self._set_up = True
            self.client.add_dynamic_items(*DYNAMIC_ITEMS)
            await self.tree.set_translator(self.translator)
            for command in build_commands():
                self.tree.add_command(command)
        self.sync_result = await self.sync_commands()

    async def sync_commands(self) -> str:
        try:
            if self.dev_guild:
                guild = discord.Object(self.dev_guild)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
                log.info("Discord: commands synced to guild %s", self.dev_guild)
                return "guild"
            digest = f"{self.client.application_id}:{payload_hash(await command_payload(self.tree, self.translator))}"
            if await self.bot.recall(COMMANDS_HASH_KEY) == digest:
                log.info("Discord: commands unchanged, no sync")
                return "unchanged"
            await self.tree.sync()
            await self.bot.remember(COMMANDS_HASH_KEY, digest, ttl=COMMANDS_HASH_TTL)
            log.info("Discord: commands synced globally (they may take a while to show)")
            return "global"
        except discord.HTTPException:
            log.exception("Discord: command sync failed; the bot runs with the commands Discord has")
            return "failed"

    # -- interactions in ---------------------------------------------------------------------

    def incoming(
        self,
        interaction: discord.Interaction[Any],
        *,
        text: str = "",
        action: Action | Invalid | None = None,
        addressed: bool = False,
    ) -> Incoming:
        in_guild = interaction.guild_id is not None
        user = interaction.user
        perms = interaction.permissions
        return Incoming(
            chat=ChatRef(PLATFORM, str(interaction.channel_id)),
            user=UserRef(PLATFORM, str(user.id)),
            user_name=(user.display_name or user.name or "")[:64],
            chat_kind=ChatKind.GROUP if in_guild else ChatKind.PRIVATE,
            locale=str(interaction.locale) if interaction.locale else None,
            text=text,
            action=action,
            addressed=addressed,
            is_admin=in_guild and bool(perms.manage_guild or perms.administrator),
        )

    async def on_command(self, interaction: discord.Interaction[Any], line: str) -> None:
        name = line[1:].split(" ", 1)[0]
        await self._serve(
            interaction, self.incoming(interaction, text=line), "ephemeral" if ephemeral_first(name) else "public"
        )

    async def on_action(self, interaction: discord.Interaction[Any], payload: str) -> None:
        await self._serve(interaction, self.incoming(interaction, action=decode(payload)), "update")

    async def on_answer_button(self, interaction: discord.Interaction[Any], ref: str) -> None:
        label = answer_label(lang_from_locale(str(interaction.locale)))
        await interaction.response.send_modal(AnswerModal(ref, title=label, label=label))

    async def on_modal(self, interaction: discord.Interaction[Any]) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        answer = modal_answer(data.get("components", []))
        if answer is None or not answer.strip():
            await interaction.response.defer()
            return
        form = decode_form(str(data.get("custom_id", "")).removeprefix(MODAL_PREFIX))
        await self._serve(interaction, self.incoming(interaction, text=answer, action=form, addressed=True), "update")

    async def topic_choices(self, interaction: discord.Interaction[Any], current: str) -> list[tuple[str, str]]:
        found = self.bot.topic_choices(current, lang_from_locale(str(interaction.locale)))
        return [(label[:CHOICE_NAME_LIMIT], topic_id) for label, topic_id in found[:CHOICES_LIMIT]]

    async def _serve(self, interaction: discord.Interaction[Any], inc: Incoming, defer_as: Deferred) -> None:
        """Ask the core, answer in time (deferring if it is slow), render every reply."""
        if self._stopping:
            return
        me = asyncio.current_task()
        if me is not None:
            self._inflight.add(me)
        try:
            work = asyncio.ensure_future(self._in_order(inc))
            deferred: Deferred = "none"
            try:
                replies = await asyncio.wait_for(asyncio.shield(work), self.defer_after)
            except TimeoutError:
                deferred = await self._defer(interaction, defer_as)
                replies = await work
            await self.deliver(interaction, replies, deferred)
        except discord.HTTPException:
            log.exception("Discord: answering an interaction failed")
        finally:
            if me is not None:
                self._inflight.discard(me)

    async def _in_order(self, inc: Incoming) -> list[Reply]:
        # One channel's interactions reach the core in arrival order (bot/adapters/ordering.py);
        # the deadline's defer still runs while an interaction waits for its turn.
        async with self.queues.turn(inc.chat.key()):
            return await self.bot.handle(inc)

    async def _defer(self, interaction: discord.Interaction[Any], defer_as: Deferred) -> Deferred:
        if interaction.type is discord.InteractionType.application_command:
            ephemeral = defer_as == "ephemeral"
            await interaction.response.defer(thinking=True, ephemeral=ephemeral)
            return "ephemeral" if ephemeral else "public"
        await interaction.response.defer()  # components and modals: a silent deferred update
        return "update"

    async def deliver(self, interaction: discord.Interaction[Any], replies: list[Reply], deferred: Deferred) -> None:
        channel_id = interaction.channel_id or 0
        shown = [reply for reply in replies if await self._live_or_closing(channel_id, reply)]
        thinking = deferred in ("public", "ephemeral")
        if not shown:
            if not interaction.response.is_done():
                if interaction.type is discord.InteractionType.application_command:
                    await interaction.response.send_message("\u2026", ephemeral=True)
                else:
                    await interaction.response.defer()
            elif thinking:
                await interaction.delete_original_response()
            return
        for reply in shown:
            sent_id: int | None = None
            for m in render(reply):
                if not interaction.response.is_done():
                    sent = await interaction.response.send_message(**m.kwargs(interaction=True))
                    sent_id = sent.message_id if sent is not None else None
                elif thinking:
                    thinking = False
                    if m.ephemeral == (deferred == "ephemeral"):
                        kw = m.kwargs()
                        edited = await interaction.edit_original_response(
                            content=kw.get("content"),
                            embeds=kw["embeds"],
                            view=kw.get("view"),
                            attachments=kw.get("files", []),
                            allowed_mentions=kw["allowed_mentions"],
                        )
                        sent_id = edited.id
                    else:  # the "thinking" message has the wrong visibility: drop it, follow up
                        await interaction.delete_original_response()
                        sent_id = (await interaction.followup.send(**m.kwargs(interaction=True), wait=True)).id
                else:
                    sent_id = (await interaction.followup.send(**m.kwargs(interaction=True), wait=True)).id
            await self._remember_part(channel_id, reply, sent_id)

    # -- live messages and closed rounds -------------------------------------------------------------

    async def _live_or_closing(self, channel_id: int, reply: Reply) -> bool:
        """Hand a live reply to `self.live` (False: nothing to send now); close what `reply` ends."""
        if reply.ends_live is not None:
            self.live.end(channel_id, reply.ends_live)
            await self._close_part(channel_id, reply.ends_live)
        if reply.live is not None:
            self.live.update(channel_id, reply)
            return False
        return True

    async def _post_live(self, channel_id: int, reply: Reply) -> int | None:
        result = await self.send(ChatRef(PLATFORM, str(channel_id)), replace(reply, live=None))
        return int(result.message_id) if isinstance(result, Delivered) and result.message_id else None

    async def _edit_live(self, channel_id: int, message_id: int, reply: Reply) -> bool:
        message = self.client.get_partial_messageable(channel_id).get_partial_message(message_id)
        [m] = render(reply)[:1]
        try:
            async with asyncio.timeout(self.send_timeout):
                await message.edit(embeds=list(m.embeds), allowed_mentions=NO_MENTIONS)
        except discord.NotFound:
            return False  # deleted: post it anew
        except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.warning("Discord: editing the live message in %s failed: %s", channel_id, exc)
        return True

    async def _remember_part(self, channel_id: int, reply: Reply, message_id: int | None) -> None:
        if reply.part_of is not None and message_id is not None:
            await self.bot.remember(f"discord:part:{channel_id}:{reply.part_of}", str(message_id))

    async def _close_part(self, channel_id: int, key: str) -> None:
        """The round `key` closed: its message loses its buttons (a late press would only be refused)."""
        stored = await self.bot.recall(f"discord:part:{channel_id}:{key}")
        if not stored:
            return
        message = self.client.get_partial_messageable(channel_id).get_partial_message(int(stored))
        try:
            async with asyncio.timeout(self.send_timeout):
                await message.edit(view=None)
        except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            log.info("Discord: could not take the buttons off a closed round in %s: %s", channel_id, exc)

    # -- messages out --------------------------------------------------------------------------

    async def send(self, chat: ChatRef, reply: Reply) -> SendResult:
        try:
            channel_id = int(chat.id)
        except ValueError:
            return Gone(f"not a channel id: {chat.id!r}")
        if not await self._live_or_closing(channel_id, reply):
            return Delivered()  # the live message follows at its own pace
        channel = self.client.get_partial_messageable(channel_id)
        result: SendResult = Delivered()
        try:
            for i, m in enumerate(render(reply)):
                kwargs = {**m.kwargs(), **nonce(reply.dedup, i)}
                async with asyncio.timeout(self.send_timeout):
                    posted = await channel.send(**kwargs)
                result = Delivered(str(posted.id))
                await self._remember_part(channel_id, reply, posted.id)
        except (discord.DiscordException, aiohttp.ClientError, OSError, TimeoutError) as exc:
            result = result_of(exc)
            if token_rejected(exc):
                self._token_rejected()
            log.warning("Discord: posting to channel %s: %s", channel_id, result)
            if wants_admin_told(result):
                await self._tell_admin_once(channel_id)
        return result

    async def _tell_admin_once(self, channel_id: int) -> None:
        key = f"discord:told-403:{channel_id}"
        if await self.bot.recall(key):
            return
        await self.bot.remember(key, "1", ttl=TOLD_ADMIN_TTL)
        channel = self.client.get_channel(channel_id)
        guild = getattr(channel, "guild", None)
        if guild is None or guild.owner_id is None:
            log.warning("Discord: channel %s is not cached; cannot tell its admin", channel_id)
            return
        lang = lang_from_locale(str(guild.preferred_locale))
        text = cannot_post_here(
            lang,
            channel=clean(getattr(channel, "name", str(channel_id))),
            guild=clean(guild.name),
        )
        try:
            owner = await self.client.fetch_user(guild.owner_id)
            await owner.send(
                embed=discord.Embed(description=text, colour=discord.Colour.orange()), allowed_mentions=NO_MENTIONS
            )
            log.warning("Discord: told the owner of guild %s about channel %s", guild.id, channel_id)
        except discord.HTTPException:
            log.warning("Discord: could not tell the owner of guild %s about channel %s", guild.id, channel_id)
