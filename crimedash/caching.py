"""The one cache layer: version counters, the one key builder and the one read-through helper.

- A `CacheVersion` is a number every key built on it carries: bumping it makes those keys stale at once. The
  analytics generation is bumped by every refresh, the live version by what a commander watches change between
  refreshes (a dispatch update, an acknowledged alert, an accepted plan), the actions version by every recompute of
  the daily actions, the permissions version by any change of groups or permissions.
- `cache_key` puts into a key everything that changes what a viewer is shown: the generation (and the live version
  for live views), the rows the viewer may see (their scope) and what they may do with them (their permission set:
  small-count access, the buttons a fragment shows), and the arguments.
- `cached` reads through the cache, and every entry it writes has a timeout, so nothing is kept for ever.

The cache lives in its own Redis database, never the Celery broker's (crimedash.settings), so flushing or filling
the cache never touches the queues.
"""

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache

from crimedash.env import env_int

logger = logging.getLogger(__name__)
CACHE_SECONDS = env_int("CACHE_SECONDS", 3600, minimum=1)
# A version outlives every entry built on it many times over (each bump renews it), so when an unused version
# expires and starts again at 1, every entry built on its old numbers has long expired.
VERSION_SECONDS = 30 * 24 * 3600


class CacheVersion:
    """A version number kept in the cache. Pages ask for a version several times per request, so each process
    remembers it for `memo_seconds`: another process's bump shows within that time, this process's at once."""

    instances: list["CacheVersion"] = []  # every version this process made, for forget_all()

    def __init__(self, key: str, *, memo_seconds: float = 1.0):
        CacheVersion.instances.append(self)
        self.key = key
        self.memo_seconds = memo_seconds
        self._value = 0
        self._until = 0.0
        # 1 inside `ahead()`: only the code running in that context (a thread, a task) sees the next number
        self._ahead = ContextVar(f"{key}:ahead", default=0)

    def current(self) -> int:
        now = time.monotonic()
        if now >= self._until:
            cache.add(self.key, 1, VERSION_SECONDS)
            self._value = cache.get(self.key) or 1
            self._until = now + self.memo_seconds
        return self._value + self._ahead.get()

    @contextmanager
    def ahead(self) -> Iterator[None]:
        """Inside, keys are built on the number the next bump makes current: what is cached there is ready the
        moment the bump happens, while every other request goes on reading the current number's entries."""
        token = self._ahead.set(1)
        try:
            yield
        finally:
            self._ahead.reset(token)

    def forget(self) -> None:
        """Ask the cache on the next read, not this process's memo (after the cache was emptied, a number remembered
        from before it would build the next keys on a number the cache no longer holds)."""
        self._until = 0.0

    @classmethod
    def forget_all(cls) -> None:
        for version in cls.instances:
            version.forget()

    def bump(self) -> int:
        self.forget()
        try:
            value = cache.incr(self.key)
        except ValueError:  # expired or never set
            cache.set(self.key, 2, VERSION_SECONDS)
            return 2
        cache.touch(self.key, VERSION_SECONDS)
        return value


GENERATION = CacheVersion("analytics:generation")
# Read on every request (no per-process memo): a commander who acknowledges an alert must not see it again on the
# page the next request renders in another process.
LIVE = CacheVersion("analytics:live-version", memo_seconds=0)


def generation() -> int:
    return GENERATION.current()


def bump_generation(*, warm: Callable[[], object] | None = None) -> int:
    """Make a new generation current. `warm()` runs first with every key built on the new number, so what it renders
    is ready the moment the bump happens (no one meets a cold page after a refresh) while every other request goes
    on reading the current number's entries. A failed warm-up is logged and costs only speed: the bump goes ahead."""
    if warm is not None:
        try:
            with GENERATION.ahead():
                warm()
        except Exception:
            logger.exception("warming the next analytics generation failed; its pages are computed when asked")
    return GENERATION.bump()


def live_version() -> int:
    return LIVE.current()


def bump_live_version() -> int:
    return LIVE.bump()


def viewer_key(*, user) -> str:
    """The rows a viewer may see and what they may do: two viewers with the same scope and the same permission set
    are shown the same results (small-count access is a permission, so it is in the set)."""
    from accounts.scoping import area_codes_visible_to  # accounts reads the cache too

    visible = area_codes_visible_to(user=user)
    scope = "force" if visible is None else ",".join(sorted(visible)) or "none"
    permissions = ",".join(sorted(user.get_all_permissions())) if user.is_authenticated else "anonymous"
    return _digest(f"{scope}|{permissions}")


def cache_key(namespace: str, parts: object = (), *, user=None, versions: tuple[CacheVersion, ...] = ()) -> str:
    """The key of a cached result: `namespace`, the analytics generation and any other `versions` (the live
    version for live views), the viewer (when the result depends on who asks) and `parts` (JSON-able arguments)."""
    numbers = ".".join(str(version.current()) for version in (GENERATION, *versions))
    viewer = viewer_key(user=user) if user is not None else "-"
    return f"{namespace}:{numbers}:{viewer}:{_digest(json.dumps(parts, sort_keys=True, default=str))}"


def cached(key: str, compute: Callable[[], object], *, timeout: int = CACHE_SECONDS):
    """The value kept under `key`, or compute() kept there for `timeout` seconds. None is never kept."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:20]
