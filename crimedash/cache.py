"""Django's Redis cache, keeping one redis-py client per connection pool, and going on without Redis.

Django builds a new redis.Redis for every cache call, and building one copies its table of response callbacks: a
few hundred microseconds, several times per request. A client over a pool is safe to share between threads, so
each pool gets one.

The cache only ever holds what can be computed again, so when Redis cannot be reached every read misses and every
write is dropped: pages are computed, sessions come from the database (cached_db), throttles stop counting. After a
failure the client does not try Redis again for RETRY_SECONDS, so a dead server costs one timeout, not one per call.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
RETRY_SECONDS = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# What each operation answers while Redis is unreachable: a miss, or nothing written.
FALLBACKS = {"add": False, "set": None, "touch": False, "delete": False, "get_many": {},
             "has_key": False, "set_many": [], "delete_many": None, "clear": False}  # fmt: skip


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._down_until = 0.0

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def reachable_call(self, name: str, fallback, *args):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return getattr(super(), name)(*args)
        except UNREACHABLE as error:
            self._down_until = time.monotonic() + RETRY_SECONDS
            logger.warning("Redis unreachable (%s); going on without the cache for %ss", error, RETRY_SECONDS)
            return fallback

    def get(self, key, default):
        return self.reachable_call("get", default, key, default)

    def incr(self, key, delta):
        # Answers as if the key had held nothing: a version bumped while Redis is down is a new version anyway.
        return self.reachable_call("incr", delta, key, delta)


def _fail_soft(name: str, fallback):
    def method(self, *args):
        return self.reachable_call(name, fallback, *args)

    method.__name__ = name
    return method


for _name, _fallback in FALLBACKS.items():
    setattr(SharedClientRedisCacheClient, _name, _fail_soft(_name, _fallback))


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
