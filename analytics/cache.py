"""A cache generation number: every refresh bumps it, so every selector key built on it goes stale at once."""

import hashlib
import json
from collections.abc import Callable

from django.core.cache import cache

from analytics import conf
from crimedash.versions import CacheVersion

GENERATION_KEY = "analytics:generation"


GENERATION = CacheVersion(GENERATION_KEY)


def generation() -> int:
    return GENERATION.current()


def bump_generation() -> int:
    return GENERATION.bump()


def cached(name: str, parts: object, compute: Callable[[], object]):
    """The cached result of compute() under (generation, name, parts); parts must be JSON-serialisable."""
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    key = f"analytics:{generation()}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, conf.CACHE_SECONDS)
    return value
