"""A time budget in minutes, read before each piece of work: the campaign's and the probe's."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class BudgetExhausted(Exception):
    """Raised before a step or an epoch that the time budget no longer allows; says which."""


class Budget:
    """A deadline ``minutes`` from now (none for ``None``), read with ``clock``."""

    def __init__(self, minutes: float | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.deadline = None if minutes is None else clock() + 60 * minutes

    def left(self) -> float:
        """Seconds left (infinite without a budget; negative once it is overrun)."""
        return math.inf if self.deadline is None else self.deadline - self.clock()

    def require(self, seconds: float, before: str) -> None:
        """:class:`BudgetExhausted` if the budget is spent, or if less than ``seconds`` of it is
        left for what comes next (``before`` names it)."""
        left = self.left()
        if left <= 0:
            raise BudgetExhausted(f"spent before {before}")
        if left < seconds:
            raise BudgetExhausted(f"{left:.0f} s left, {before} needs about {seconds:.0f} s")
