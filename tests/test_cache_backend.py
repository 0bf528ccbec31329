"""The Redis cache shares one redis-py client per connection pool across calls and threads."""

import threading

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real Redis")


def test_cache_calls_reuse_one_client_and_still_round_trip():
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    cache.set("shared-client-check", {"value": 1}, 30)
    assert cache.get("shared-client-check") == {"value": 1}


def test_threads_share_the_client_safely():
    errors = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"thread-{n}-{i}", i, 30)
                assert cache.get(f"thread-{n}-{i}") == i
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
