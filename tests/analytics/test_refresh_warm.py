"""A refresh renders the pages users open most under the generation its bump makes current, then bumps it: nobody
meets a cold page after a refresh, and nobody sees the new pages before the bump."""

import threading

import pytest

from analytics.refresh import analytics_refresh
from analytics.tasks import refresh_analytics
from crimedash.caching import bump_generation, generation

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_generation(db) -> int:
    """The generation the cache holds: a bump reads it from the cache (each test starts on an emptied cache, which
    the number this process remembers for a second may predate)."""
    return bump_generation()


def test_warming_builds_on_the_next_generation_while_other_requests_read_the_current_one(fresh_generation):
    seen = {}

    def warm():
        seen["warming"] = generation()
        request = threading.Thread(target=lambda: seen.setdefault("meanwhile", generation()))
        request.start()
        request.join()

    assert bump_generation(warm=warm) == fresh_generation + 1
    assert seen == {"warming": fresh_generation + 1, "meanwhile": fresh_generation}
    assert generation() == fresh_generation + 1


def test_a_failed_warm_up_is_logged_and_the_generation_still_bumped(fresh_generation, caplog):
    def warm():
        raise RuntimeError("a template is missing")

    assert bump_generation(warm=warm) == fresh_generation + 1
    assert "warming the next analytics generation failed" in caplog.text


def test_the_refresh_task_warms_the_dashboards_before_it_bumps(fresh_generation, monkeypatch):
    warmed_under = []
    monkeypatch.setattr("dashboards.warm.dashboards_warm", lambda: warmed_under.append(generation()))
    refresh_analytics(full=True)
    assert warmed_under == [fresh_generation + 1]
    assert generation() == fresh_generation + 1
    analytics_refresh(full=True)  # called directly (tests, the command), a refresh warms only when asked
    assert warmed_under == [fresh_generation + 1]
    assert generation() == fresh_generation + 2
