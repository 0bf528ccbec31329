"""What cached results are keyed by.

- The generation: every refresh bumps it, so every key built on it goes stale at once.
- The live version: bumped when something a commander watches changes between refreshes (a dispatch update, an
  alert acknowledged, a plan accepted, an import finished); only keys of live views carry it.
- The viewer: role, scope and small-count access decide what the same URL shows, so they are in every key.
"""

import hashlib
import json
from collections.abc import Callable

from django.core.cache import cache

from accounts.scoping import area_codes_visible_to
from analytics import conf
from analytics.privacy import sees_small_counts
from crimedash.versions import CacheVersion

GENERATION_KEY = "analytics:generation"


GENERATION = CacheVersion(GENERATION_KEY)
# Read on every request (no per-process memo): a commander who acknowledges an alert must not see it again on the
# page the next request renders in another process.
LIVE = CacheVersion("analytics:live-version", memo_seconds=0)


def generation() -> int:
    return GENERATION.current()


def bump_generation() -> int:
    return GENERATION.bump()


def live_version() -> int:
    return LIVE.current()


def bump_live_version() -> int:
    return LIVE.bump()


def viewer_key(*, user) -> str:
    """Role, scope and small-count access: two users who share all three see the same results."""
    visible = area_codes_visible_to(user=user)
    scope = "force" if visible is None else ",".join(sorted(visible)) or "none"
    small = "all" if sees_small_counts(user=user) else "suppressed"
    return f"{user.role}:{scope}:{small}"


def cached(name: str, parts: object, compute: Callable[[], object]):
    """The cached result of compute() under (generation, name, parts); parts must be JSON-serialisable."""
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    key = f"analytics:{generation()}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, conf.CACHE_SECONDS)
    return value
