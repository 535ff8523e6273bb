"""The one place that builds studybot: every collaborator of the core, from Settings.

`bootstrap(settings, **overrides)` loads the bank, opens (and migrates) the store, and wires the
clock, grader, limiter, services, the core, the adapters, the question-of-the-day service and the
scheduler, in that order, each handed what it needs when it is built: nothing is assigned onto a
built object afterwards. Every piece has a default from the settings and can be overridden
(tests pass fakes, a fixed clock, a seeded random, adapters pointed at fake servers).

Which adapters run: the platforms whose token is set; none set -> the terminal chat (without the
abuse limits, which are for platforms). `adapters=` replaces that choice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta

from bot.adapters.base import Adapter
from bot.content.bank import Bank
from bot.content.loader import load_bank
from bot.core import related
from bot.core.app import Outgoing, StudyBot
from bot.core.clock import Clock, SystemClock
from bot.core.context import Services
from bot.core.daily.service import DailyService
from bot.core.grading import Grade, Grader, Rubric, rubric_for
from bot.core.limits import Limiter, Limits
from bot.core.ports.assessing import Assessor
from bot.core.ports.messaging import Messenger
from bot.core.ports.rendering import Renderer
from bot.core.ports.store import Store
from bot.core.purge import Retention
from bot.core.sending import Retry, SendResult
from bot.core.wakeup import Wakeup
from bot.rendering.renderer import LocalRenderer, stop_rendering
from bot.scheduling.scheduler import Scheduler
from bot.settings import Settings

log = logging.getLogger(__name__)

AdapterFactory = Callable[[StudyBot], Adapter]


@dataclass(frozen=True)
class System:
    """Everything `bootstrap` built, wired together."""

    settings: Settings
    bank: Bank
    store: Store
    clock: Clock
    services: Services
    limiter: Limiter
    bot: StudyBot
    adapters: tuple[Adapter, ...]
    daily: DailyService
    scheduler: Scheduler
    # Set once the bot is taking messages (the first prompt is shown, the adapters are up):
    # the grader's warm-up waits for it, so that it does not compete with start-up for the CPU.
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(a.platform for a in self.adapters)


def default_grader() -> Grader:
    """The grader the bot and `studybot grade` use: offline, deterministic."""
    return LoadedOnUse()


class LoadedOnUse:
    """The default grader (KeyPointGrader), imported at its first grade: its regular expressions and
    combiner are a tenth of a start-up, and the first prompt need not wait for them (the warm-up
    that follows it, or the first answer, loads them)."""

    def __init__(self) -> None:
        self._grader: Grader | None = None

    def grade(self, rubric: Rubric, answer: str, locale: str | None = None) -> Grade:
        if self._grader is None:
            from bot.core.grading.grader import KeyPointGrader

            self._grader = KeyPointGrader()
        return self._grader.grade(rubric, answer, locale)


def platform_limits(settings: Settings) -> Limits:
    """Abuse limits for the platforms (the terminal chat, one local person, has none)."""
    return Limits.per(settings.answers_per_minute, settings.rounds_per_hour)


def platform_adapters(settings: Settings) -> list[AdapterFactory]:
    """An adapter for every platform whose token is set (imported only then: each is heavy)."""
    factories: list[AdapterFactory] = []
    if settings.telegram_bot_token is not None:
        factories.append(_telegram(settings))
    if settings.discord_bot_token is not None:
        factories.append(_discord(settings))
    return factories


def terminal_adapter(
    settings: Settings, *, user: str = "you", locale: str | None = None, group: str | None = None
) -> AdapterFactory:
    from bot.adapters.terminal import TerminalChat

    def build(bot: StudyBot) -> Adapter:
        return TerminalChat(bot, user=user, locale=locale, out_dir=settings.output_dir, group=group)

    return build


def _telegram(settings: Settings) -> AdapterFactory:
    from bot.adapters.telegram.adapter import TelegramAdapter, WebhookConfig, default_secret

    assert settings.telegram_bot_token is not None
    token = settings.telegram_bot_token.get_secret_value()
    webhook = None
    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret
        webhook = WebhookConfig(
            settings.telegram_webhook_url,
            settings.telegram_webhook_listen,
            settings.telegram_webhook_port,
            secret.get_secret_value() if secret else default_secret(token),
        )

    def build(bot: StudyBot) -> Adapter:
        return TelegramAdapter(
            bot, token, settings.telegram_api_base_url, webhook, max_rate=settings.telegram_rate_limit
        )

    return build


def _discord(settings: Settings) -> AdapterFactory:
    from bot.adapters.discord.adapter import DiscordAdapter

    assert settings.discord_bot_token is not None
    token = settings.discord_bot_token.get_secret_value()

    def build(bot: StudyBot) -> Adapter:
        return DiscordAdapter(
            bot,
            token,
            api_base_url=settings.discord_api_base_url,
            gateway_url=settings.discord_gateway_url,
            dev_guild=settings.discord_dev_guild,
            shard_count=settings.discord_shard_count,
            shard_ids=settings.discord_shard_ids,
        )

    return build


def assemble(
    settings: Settings,
    *,
    bank: Bank,
    store: Store,
    clock: Clock | None = None,
    grader: Grader | None = None,
    rng: random.Random | None = None,
    limits: Limits | None = None,
    adapters: Sequence[AdapterFactory] | None = None,
    worker: str | None = None,
    renderer: Renderer | None = None,
    assessor: Assessor | None = None,
) -> System:
    """Wire a System around a bank and an open store (no I/O here)."""
    if adapters is None:
        adapters = platform_adapters(settings)
        if limits is None and adapters:
            limits = platform_limits(settings)
        adapters = adapters or [terminal_adapter(settings)]
    clock = clock or SystemClock()
    wakeup = Wakeup()
    grader = grader or default_grader()
    services = Services(
        bank=bank,
        grader=grader,
        assessor=assessor or _assessor(settings, grader),
        rng=rng or random.Random(),
        round_minutes=settings.round_minutes,
        wakeup=wakeup,
    )
    limiter = Limiter(limits or Limits())
    bot = StudyBot(store, clock, services, limiter, renderer or LocalRenderer())
    built = tuple(factory(bot) for factory in adapters)
    messengers: dict[str, Messenger] = {a.platform: a for a in built}
    daily = DailyService(
        store, clock, services, messengers, worker=worker, lease=timedelta(seconds=settings.delivery_lease_seconds)
    )
    retention = Retention(
        ledger=timedelta(days=settings.ledger_retention_days),
        expired=timedelta(hours=settings.expired_retention_hours),
    )
    # The scheduler posts through the daily service's messengers: a platform stopped there is stopped for both.
    scheduler = Scheduler(bot, daily, _poster(daily.messengers), clock, wakeup, retention=retention)
    return System(settings, bank, store, clock, services, limiter, bot, built, daily, scheduler)


def _assessor(settings: Settings, grader: Grader) -> Assessor | None:
    """The LLM judge of STUDYBOT_JUDGE_URL behind `grader`; openai is imported only when one is set."""
    if settings.judge_url is None:
        return None
    from bot.judging.build import assessor_from

    return assessor_from(settings, grader)


def _poster(messengers: Mapping[str, Messenger]) -> Callable[[Outgoing], Awaitable[SendResult]]:
    async def post(outgoing: Outgoing) -> SendResult:
        messenger = messengers.get(outgoing.chat.platform)
        if messenger is None:
            # A round closed by its timer in a chat of a platform this process does not run (its
            # token is not set here): nothing was sent, and saying "delivered" would be a lie.
            log.warning("not posted to %s: that platform is not running here", outgoing.chat.platform)
            return Retry(f"{outgoing.chat.platform} is not running")
        return await messenger.send(outgoing.chat, outgoing.reply)

    return post


@asynccontextmanager
async def bootstrap(
    settings: Settings,
    *,
    bank: Bank | None = None,
    store: Store | None = None,
    clock: Clock | None = None,
    grader: Grader | None = None,
    rng: random.Random | None = None,
    limits: Limits | None = None,
    adapters: Sequence[AdapterFactory] | None = None,
    worker: str | None = None,
    renderer: Renderer | None = None,
    warm: bool = True,
) -> AsyncIterator[System]:
    """The whole bot; the store is closed afterwards when bootstrap opened it (not when it was given).

    The default grader is warmed in a background thread once `System.ready` is set (`warm=False`
    skips that, for commands that grade nothing); until then it analyses rubrics as answers need them."""
    bank = bank or load_bank(settings.content_dir, cache_dir=settings.cache_dir)
    opened = None
    if store is None:
        from bot.storage.store import open_store

        store = opened = await open_store(settings.storage_url, synchronous=settings.sqlite_synchronous)
        moved = await opened.follow_retired(bank.successors)  # progress on merged questions follows them
        if moved:
            log.info("moved %d rows from retired question ids to the questions they were merged into", moved)
        log.info("bank loaded: %d questions; storage: %s", len(bank.questions), opened.dialect)
    system = assemble(
        settings,
        bank=bank,
        store=store,
        clock=clock,
        grader=grader,
        rng=rng,
        limits=limits,
        adapters=adapters,
        worker=worker,
        renderer=renderer,
    )
    stop_warming = threading.Event()
    warming = None
    if warm and grader is None:
        warming = asyncio.create_task(_warm_grader(bank, stop_warming, system.ready))
    try:
        yield system
    finally:
        if system.services.assessor is not None:
            await system.services.assessor.close()
        stop_warming.set()
        if warming is not None:
            if not system.ready.is_set():
                warming.cancel()  # still waiting for start-up to finish: nothing to stop
            with suppress(asyncio.CancelledError):
                await warming
        if renderer is None:
            stop_rendering()  # the drawing worker this bot started, if it drew anything
        if opened is not None:
            await opened.close()


async def _warm_grader(bank: Bank, stop: threading.Event, ready: asyncio.Event) -> None:
    """Every rubric analysed ahead of the first answers, in a thread so that the bot answers meanwhile."""
    await ready.wait()
    from bot.core.grading import warmup as grading_warmup  # the grader's machinery: after the first prompt

    started = time.perf_counter()
    rubrics = await asyncio.to_thread(lambda: [rubric_for(q) for q in bank.questions if q.answered])
    await asyncio.to_thread(related.warm, bank)  # follow-ups: the first weak answer need not wait for them
    n = await asyncio.to_thread(grading_warmup.warm_and_freeze, rubrics, stop)
    log.info("grader warmed: %d rubrics in %.1f s", n, time.perf_counter() - started)
