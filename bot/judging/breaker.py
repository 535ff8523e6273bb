"""A small circuit breaker: after a few failures in a row, a dead endpoint costs nothing for a while.

Hand-written on purpose (about thirty lines): the maintained libraries are synchronous
(pybreaker) or tied to a framework, and this one needs the core's injectable clock, not
wall-clock time, so that tests can step past the cool-down.
"""

from __future__ import annotations

from collections.abc import Callable


class CircuitBreaker:
    def __init__(
        self, clock: Callable[[], float], failures: int = 3, cooldown: float = 30.0, max_cooldown: float = 600.0
    ) -> None:
        self.clock = clock
        self.threshold = failures
        self.base = cooldown
        self.max_cooldown = max_cooldown
        self.failures = 0
        self.cooldown = cooldown
        self.open_until = 0.0

    def allow(self) -> bool:
        """Closed, or open with the cool-down over (one trial call goes through: half-open)."""
        return self.failures < self.threshold or self.clock() >= self.open_until

    def succeeded(self) -> None:
        self.failures = 0
        self.cooldown = self.base
        self.open_until = 0.0

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            if self.clock() >= self.open_until and self.open_until:
                self.cooldown = min(self.cooldown * 2, self.max_cooldown)  # the trial failed too: wait longer
            self.open_until = self.clock() + self.cooldown

    @property
    def is_open(self) -> bool:
        return not self.allow()
