"""A cache generation number: every refresh bumps it, so every selector key built on it goes stale at once."""

import hashlib
import json
import time
from collections.abc import Callable

from django.core.cache import cache

from analytics import conf

GENERATION_KEY = "analytics:generation"


# Every cache key of a page asks for the generation: a process remembers it for a second rather than asking Redis
# several times per request. Another process's refresh shows here within that second; this process's at once.
MEMO_SECONDS = 1.0
_memo = {"value": 0, "until": 0.0}


def generation() -> int:
    now = time.monotonic()
    if now < _memo["until"]:
        return _memo["value"]
    cache.add(GENERATION_KEY, 1, None)
    value = cache.get(GENERATION_KEY) or 1
    _memo.update(value=value, until=now + MEMO_SECONDS)
    return value


def bump_generation() -> int:
    _memo["until"] = 0.0
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
