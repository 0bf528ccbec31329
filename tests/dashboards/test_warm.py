"""Beat's warm_dashboards renders each scope's default dashboards, so a first visit reads no rollup."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.tasks import refresh_analytics
from crimedash.caching import generation
from crimedash.celery import app
from crimedash.schedule import BEAT_SCHEDULE
from dashboards.tasks import warm_dashboards
from ingestion.models import ImportRun
from tests.dashboards.factories import WESTMINSTER
from tests.factories import UserFactory

ROLLUP_TABLES = ("analytics_monthlycount", "analytics_hourweekdaycount", "analytics_dailycount", "analytics_outcome")


def _rollup_reads(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries if any(table in query["sql"] for table in ROLLUP_TABLES)]


def test_warming_renders_each_page_a_role_may_open_once_per_role_and_unit(dashboard_data, role_users, org):
    UserFactory(username="second-analyst", role="analyst", unit=role_users["analyst"].unit)  # shares the first's pages
    warmed = warm_dashboards.delay().get()
    # analyst and admin open all three; executive strategic; commander strategic and tactical
    assert warmed == {"strategic": 4, "tactical": 3, "analytical": 2}


def test_after_warming_a_default_dashboard_reads_no_rollup(client_for, dashboard_data):
    for role, url in (("executive", "dashboards:strategic"), ("commander", "dashboards:tactical")):
        assert _rollup_reads(client_for(role), reverse(url)), "a cold page must read the rollups"
    warm_dashboards()
    for role, url in (("executive", "dashboards:strategic"), ("commander", "dashboards:tactical"),
                      ("analyst", "dashboards:analytical")):  # fmt: skip
        assert _rollup_reads(client_for(role), reverse(url)) == [], f"{role} {url} computed what was warmed"
    # a filter nobody has asked for is computed on request
    assert _rollup_reads(client_for("analyst"), reverse("dashboards:analytical") + "?category=burglary")


DEFAULT_PAGES = (("executive", "dashboards:strategic"), ("commander", "dashboards:strategic"),
                 ("commander", "dashboards:tactical"), ("analyst", "dashboards:strategic"),
                 ("analyst", "dashboards:tactical"), ("analyst", "dashboards:analytical"))  # fmt: skip


def test_the_first_view_after_a_refresh_reads_no_rollup(client_for, dashboard_data):
    before = generation()
    run = ImportRun.objects.create(source="police_uk", target="test", months_touched=["2024-06"],
                                   areas_touched=[WESTMINSTER])  # fmt: skip
    refresh_analytics(run_id=run.pk)  # the task (after an import, on the hour) warms the new generation, then bumps
    assert generation() == before + 1
    for role, url in DEFAULT_PAGES:
        assert _rollup_reads(client_for(role), reverse(url)) == [], f"{role} {url} was cold after the refresh"


def test_the_beat_entry_names_the_registered_task():
    entry = BEAT_SCHEDULE["warm-dashboards"]
    assert entry["task"] == warm_dashboards.name and entry["task"] in app.tasks
    assert entry["options"]["expire_seconds"] == 360


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="lanes on their own connections need a database server")
@pytest.mark.django_db(transaction=True)
def test_the_refresh_warms_in_two_lanes_on_their_own_connections_under_the_next_generation(
    client_for, dashboard_data, monkeypatch
):
    from dashboards import warm

    lanes, render = [], warm._pages_render

    def recorded(jobs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            lanes.append((cursor.fetchone()[0], generation(), [page for _user, page in jobs]))
        render(jobs)

    monkeypatch.setattr(warm, "_pages_render", recorded)
    before = generation()
    run = ImportRun.objects.create(source="police_uk", target="test", months_touched=["2024-06"],
                                   areas_touched=[WESTMINSTER])  # fmt: skip
    refresh_analytics(run_id=run.pk)
    assert len({pid for pid, _generation, _pages in lanes}) == 2  # two lanes, each on a connection of its own
    assert {generation_seen for _pid, generation_seen, _pages in lanes} == {before + 1}  # the next one, in each
    assert sum(len(pages) for _pid, _generation, pages in lanes) >= len(DEFAULT_PAGES)
    for role, url in DEFAULT_PAGES:
        assert _rollup_reads(client_for(role), reverse(url)) == [], f"{role} {url} was cold after the refresh"
