"""`studybot run`: every platform whose token is set, on one event loop; the terminal chat if none.

SIGTERM / SIGINT stop the scheduler (deliveries in flight finish), then the adapters (no new
updates, in-flight replies finish), then the database closes; the process exits 0. A platform
that rejects the bot's token while running (revoked or reset) is stopped alone with one line;
when no platform is left the process stops and exits 2, as for a token rejected at start-up. The whole
stop takes at most STUDYBOT_STOP_TIMEOUT seconds (plus a second per step past it): what is
still running then is abandoned, which loses nothing committed — every answer is committed
before its reply is sent, and an unconfirmed delivery is sent again by the next process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence

from bot.adapters.base import Adapter, TokenRejected, Unreachable
from bot.adapters.terminal import TerminalChat
from bot.bootstrap import System, bootstrap
from bot.logging_setup import redact
from bot.settings import Settings

log = logging.getLogger(__name__)

START_BACKOFF_FIRST = 1.0  # seconds before the second try at reaching a platform; doubled each time
START_BACKOFF_MAX = 60.0
EXIT_TOKEN_REJECTED = 2


async def serve(system: System, stop: asyncio.Event, on_ready: Callable[[], None] | None = None) -> None:
    """Start the adapters, then the scheduler; when `stop` is set, stop them in reverse."""
    started: list[Adapter] = []
    try:
        for adapter in system.adapters:
            if not await start_with_retry(adapter, stop):
                return
            started.append(adapter)
            log.info("%s adapter running", adapter.platform)
        await system.scheduler.start()
        system.ready.set()
        if on_ready is not None:
            on_ready()
        log.info("ready")
        lost = await run_until_stopped(system, started, stop)
        log.info("stopping: finishing what is in flight (at most %.0f s)", system.settings.stop_timeout)
        if lost:
            raise TokenRejected(lost)
    finally:
        steps = [("scheduler", system.scheduler.stop)] + [(a.platform, a.stop) for a in reversed(started)]
        await stop_within(steps, system.settings.stop_timeout)
        log.info("stopped")


async def run_until_stopped(system: System, started: list[Adapter], stop: asyncio.Event) -> str | None:
    """Wait for `stop`. A platform whose token is rejected meanwhile is stopped on its own, with one
    line; the others go on. Returns the last such line when no platform is left, else None."""

    async def stopped() -> str:
        await stop.wait()
        return ""

    watchers = {asyncio.create_task(a.revoked(), name=f"{a.platform}-token"): a for a in started}
    stopping = asyncio.create_task(stopped())
    try:
        while watchers:
            done, _ = await asyncio.wait({stopping, *watchers}, return_when=asyncio.FIRST_COMPLETED)
            if stopping in done:
                return None
            for task in done:
                adapter = watchers.pop(task)
                reason = redact(task.result())
                system.daily.stop_platform(adapter.platform)
                started.remove(adapter)
                if watchers:
                    log.critical("%s: stopping %s (fix the token and restart)", reason, adapter.platform)
                await stop_within([(adapter.platform, adapter.stop)], system.settings.stop_timeout)
                if not watchers:
                    return reason
        return None
    finally:
        for task in (stopping, *watchers):
            task.cancel()


async def start_with_retry(adapter: Adapter, stop: asyncio.Event) -> bool:
    """Start `adapter`, retrying with back-off while its platform cannot be reached; one log line
    per try, no traceback. False when asked to stop first; `TokenRejected` goes up (no retry helps)."""
    delay = START_BACKOFF_FIRST
    while not stop.is_set():
        try:
            await adapter.start()
            return True
        except Unreachable as exc:
            log.warning("could not reach %s; retrying in %.0f s", exc, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, START_BACKOFF_MAX)
    return False


async def stop_within(steps: Sequence[tuple[str, Callable[[], Awaitable[None]]]], seconds: float) -> None:
    """Run each stop step in order, all within `seconds` (each step past that gets one second)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    for name, step in steps:
        budget = max(deadline - loop.time(), 1.0)
        try:
            await asyncio.wait_for(step(), timeout=budget)
        except TimeoutError:
            log.warning("stopping %s took longer than %.0f s: left unfinished", name, budget)
        except Exception:
            log.exception("stopping %s failed", name)


async def run_terminal(system: System, chat: TerminalChat, on_ready: Callable[[], None] | None = None) -> None:
    """The terminal chat, with the question of the day and round timers delivered into it.

    `on_ready` runs when the chat first waits for input (the first prompt, when interactive). The
    scheduler starts then, beside the prompt rather than before it: its first run (deliveries
    missed while the bot was down) and APScheduler's import need not keep a person waiting."""
    starting: list[asyncio.Task[None]] = []

    def ready() -> None:
        starting.append(asyncio.create_task(system.scheduler.start(), name="scheduler-start"))
        system.ready.set()
        if on_ready is not None:
            on_ready()

    try:
        await chat.run(ready=ready)
    finally:
        for task in starting:  # a stop right after the start: let the start finish, then stop
            with contextlib.suppress(Exception):
                await task
        await system.scheduler.stop()


async def launch(settings: Settings, on_ready: Callable[[], None] | None = None) -> int:
    async with bootstrap(settings) as system:
        terminal = next((a for a in system.adapters if isinstance(a, TerminalChat)), None)
        if terminal is not None:
            log.info("no platform token set: starting the terminal chat")
            await run_terminal(system, terminal, on_ready)
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _stop_on(stop, sig))
        try:
            await serve(system, stop, on_ready)
        except TokenRejected as exc:
            # like every other start-up error: one plain line a person reads last, not a log event
            print(f"studybot: {redact(str(exc))}: stopping (fix the token and start again)", file=sys.stderr)
            return EXIT_TOKEN_REJECTED
    return 0


def _stop_on(stop: asyncio.Event, sig: signal.Signals) -> Callable[[], None]:
    def handler() -> None:
        log.info("%s received", sig.name)
        stop.set()

    return handler
