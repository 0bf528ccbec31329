"""A version number kept in the cache: every key built on it goes stale when it is bumped.

Pages ask for a version several times per request, so each process remembers it for a second: another process's
bump shows within that second, this process's at once.
"""

import time

from django.core.cache import cache


class CacheVersion:
    def __init__(self, key: str, *, memo_seconds: float = 1.0):
        self.key = key
        self.memo_seconds = memo_seconds
        self._value = 0
        self._until = 0.0

    def current(self) -> int:
        now = time.monotonic()
        if now < self._until:
            return self._value
        cache.add(self.key, 1, None)
        self._value = cache.get(self.key) or 1
        self._until = now + self.memo_seconds
        return self._value

    def bump(self) -> int:
        self._until = 0.0
        try:
            return cache.incr(self.key)
        except ValueError:  # evicted or never set
            cache.set(self.key, 2, None)
            return 2
