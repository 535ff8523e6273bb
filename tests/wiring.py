"""The bot as tests build it: through bootstrap's `assemble`, with a given store, clock and seed."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from bot.bootstrap import System, assemble
from bot.content.bank import Bank
from bot.core.app import StudyBot
from bot.core.clock import Clock
from bot.core.daily.service import DailyService
from bot.core.limits import Limits
from bot.core.ports.assessing import Assessor
from bot.core.ports.messaging import Messenger
from bot.core.ports.rendering import Renderer
from bot.core.ports.store import Store
from bot.settings import Settings


def test_settings(**values: Any) -> Settings:
    """Settings from these values and the defaults only (no .env file)."""
    return Settings(_env_file=None, **values)


def system(
    bank: Bank,
    store: Store,
    clock: Clock,
    *,
    seed: int = 7,
    limits: Limits | None = None,
    renderer: Renderer | None = None,
    settings: Settings | None = None,
    assessor: Assessor | None = None,
) -> System:
    """The core and its collaborators, without adapters (tests drive `system.bot` directly)."""
    return assemble(
        settings or test_settings(),
        bank=bank,
        store=store,
        clock=clock,
        rng=random.Random(seed),
        limits=limits,
        adapters=(),
        renderer=renderer,
        assessor=assessor,
    )


def daily_service(bot: StudyBot, messengers: Mapping[str, Messenger], **options: Any) -> DailyService:
    """Another question-of-the-day worker next to `bot` (same store, clock and services)."""
    return DailyService(bot.store, bot.clock, bot.services, messengers, **options)
