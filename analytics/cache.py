"""A cache generation number: every refresh bumps it, so every selector key built on it goes stale at once."""

import hashlib
import json
from collections.abc import Callable

from django.core.cache import cache

from analytics import conf

GENERATION_KEY = "analytics:generation"


def generation() -> int:
    cache.add(GENERATION_KEY, 1, None)
    return cache.get(GENERATION_KEY) or 1


def bump_generation() -> int:
    try:
        return cache.incr(GENERATION_KEY)
    except ValueError:  # evicted or never set
        cache.set(GENERATION_KEY, 2, None)
        return 2


def cached(name: str, parts: object, compute: Callable[[], object]):
    """The cached result of compute() under (generation, name, parts); parts must be JSON-serialisable."""
    digest = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    key = f"analytics:{generation()}:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, conf.CACHE_SECONDS)
    return value
