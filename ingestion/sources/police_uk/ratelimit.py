"""A token bucket: `rate` requests per second sustained, bursts of up to `capacity`.

The clock and the sleep are injected so tests drive time by hand instead of sleeping.
"""

import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self,
        *,
        rate: float,
        capacity: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = capacity
        self.clock = clock
        self.sleep = sleep
        self.tokens = float(capacity)
        self.updated = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def acquire(self) -> float:
        """Take one token, sleeping until it is due; returns the seconds waited.

        A token taken early leaves the bucket in debt that the elapsed time repays, so waits never spin on
        rounding errors.
        """
        self._refill()
        self.tokens -= 1
        if self.tokens >= 0:
            return 0.0
        pause = -self.tokens / self.rate
        self.sleep(pause)
        return pause
