"""A cache version is remembered by each process for a moment; after the cache is emptied it must be asked again."""

from django.core.cache import cache

from crimedash.caching import GENERATION, CacheVersion, bump_generation, generation


def test_after_the_cache_is_emptied_a_forgotten_version_is_read_again_and_warming_builds_on_the_next(monkeypatch):
    monkeypatch.setattr(GENERATION, "memo_seconds", 3600)  # the process's memo outlasts the test, however slow
    bump_generation()
    assert generation() == 2
    cache.clear()
    assert generation() == 2  # still the remembered number: the cache is not asked while the memo lasts
    CacheVersion.forget_all()
    assert generation() == 1
    seen = []
    bump_generation(warm=lambda: seen.append(generation()))
    assert seen == [2] and generation() == 2  # what was warmed is what the bump made current
