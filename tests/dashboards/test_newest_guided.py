"""The newest-first Incident reads (latest feed, map points, list pages) first ask the rollups where the newest
matches are and read only from there: the same rows as reading the whole period, under any filters, for any scope."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics.refresh import analytics_refresh, rollups_hold_every_incident
from dashboards.filters import DashboardFilters
from dashboards.selectors import (
    incident_page,
    incident_points,
    incidents_filtered,
    incidents_latest,
    incidents_visible_to,
    newest_window,
)
from ingestion.models import DispatchUpdate, ImportRun, Incident
from tests.dashboards.factories import CALL_TYPES, CAMDEN, CATEGORIES, WESTMINSTER, _incident

pytestmark = pytest.mark.django_db


def _whole_period_ids(user, filters: DashboardFilters, limit: int, **extra) -> list[int]:
    """The oracle: the newest `limit` matches read over the whole period, no rollup asked."""
    rows = incidents_filtered(incidents_visible_to(user=user), filters=filters).filter(**extra)
    return list(rows.order_by("-occurred_at", "-id").values_list("id", flat=True)[:limit])


def _random_filters(rng: random.Random) -> DashboardFilters:
    start = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(700))
    end = start + dt.timedelta(days=rng.randrange(1, 400))
    return DashboardFilters(
        date_from=rng.choice([None, start]),
        date_to=rng.choice([None, end]),
        areas=rng.choice([(), (WESTMINSTER,), (CAMDEN,), (f"{CAMDEN}-hood",), ("met",), (f"{WESTMINSTER}-lsoa-1",)]),
        categories=rng.choice([(), (rng.choice(CATEGORIES),), (rng.choice(CALL_TYPES),), ("burglary", "overdose")]),
        kinds=rng.choice([(), ("crime",), ("call",), ("stop",)]),
        sources=rng.choice([(), ("police_uk",), ("baltimore_911",)]),
    )


@pytest.mark.parametrize("role", ["analyst", "commander"])
def test_guided_reads_return_what_the_whole_period_holds_under_random_filters(dashboard_data, role_users, role):
    user, rng = role_users[role], random.Random(20261128)
    for _ in range(40):
        filters = _random_filters(rng)
        latest = [row.id for row in incidents_latest(user=user, filters=filters, limit=7)]
        assert latest == _whole_period_ids(user, filters, 7, time_precision=Incident.Precision.MINUTE), filters
        points = [row["id"] for row in incident_points(user=user, filters=filters, limit=30)]
        assert points == _whole_period_ids(user, filters, 30, latitude__isnull=False), filters
        first = incident_page(user=user, filters=filters, size=9)
        assert [row.id for row in first["rows"]] == _whole_period_ids(user, filters, 9), filters


def test_a_later_list_page_is_the_whole_period_s_next_rows(dashboard_data, role_users):
    user, filters = role_users["analyst"], DashboardFilters(kinds=("call",))
    first = incident_page(user=user, filters=filters, size=25)
    second = incident_page(user=user, filters=filters, cursor=first["next_cursor"], size=25)
    assert [row.id for row in first["rows"] + second["rows"]] == _whole_period_ids(user, filters, 50)


def test_the_read_starts_at_the_newest_months_that_hold_enough_matches(dashboard_data, role_users):
    user = role_users["analyst"]
    window = newest_window(user=user, filters=DashboardFilters(categories=("burglary",)), needed=10)
    # 3 burglaries a month in each of two boroughs: the last two months of 2024 hold 12, the newest ends the year
    assert window == (dt.date(2024, 11, 1), 12, dt.date(2024, 12, 31))
    with CaptureQueriesContext(connection) as captured:
        incident_points(user=user, filters=DashboardFilters(categories=("burglary",)), limit=10)
    (read,) = [q["sql"] for q in captured if 'FROM "ingestion_incident"' in q["sql"] and "ORDER BY" in q["sql"]]
    assert "2024-11-01" in read


def test_filters_nothing_matches_read_only_rows_newer_than_the_last_refresh(dashboard_data, role_users):
    user = role_users["analyst"]
    window = newest_window(user=user, filters=DashboardFilters(kinds=("stop",)), needed=20)
    assert window == (dt.date(2025, 1, 1), 0, None)
    assert incident_points(user=user, filters=DashboardFilters(kinds=("stop",))) == []


def test_a_call_imported_after_the_refresh_leads_the_live_feed(dashboard_data, role_users):
    now = timezone.now()
    live = Incident.objects.create(
        source="baltimore_911", source_key="live-1", kind="call", category="assault", occurred_at=now,
        time_precision=Incident.Precision.MINUTE, time_zone="Europe/London", local_date=timezone.localdate(now),
        force_id="met", borough_id=WESTMINSTER, latitude=51.51, longitude=-0.13, origin=Incident.Origin.PUBLIC_REPORT,
    )  # fmt: skip
    filters = DashboardFilters(kinds=("call",))
    assert incidents_latest(user=role_users["commander"], filters=filters)[0].id == live.id
    assert incident_points(user=role_users["analyst"], filters=filters)[0]["id"] == live.id


def test_a_force_is_counted_by_its_own_rows(dashboard_data, role_users):
    """A force the rollups hold nothing of reads only rows newer than the last refresh (it used to stand for every
    area, so the rollups promised matches and the read then walked the whole of Incident), and the list's total is
    the force's own."""
    from dashboards.selectors import incident_total
    from ingestion.models import Area

    Area.objects.create(code="city", name="City of London Police", kind=Area.Kind.FORCE)
    user = role_users["analyst"]
    window = newest_window(user=user, filters=DashboardFilters(areas=("city",)), needed=20)
    assert window == (dt.date(2025, 1, 1), 0, None)
    assert incident_points(user=user, filters=DashboardFilters(areas=("city",))) == []
    assert incident_total(user=user, filters=DashboardFilters(areas=("city",))) == 0
    met = DashboardFilters(areas=("met",), kinds=("call",))
    assert incident_total(user=user, filters=met) == Incident.objects.filter(force_id="met", kind="call").count()
    assert [row.id for row in incident_page(user=user, filters=met, size=9)["rows"]] == _whole_period_ids(user, met, 9)


def _stops_in_march_2023(count: int = 5, first: int = 900_000) -> list[Incident]:
    rng = random.Random(3)
    when = timezone.make_aware(dt.datetime(2023, 3, 14, 15, 30))
    stops = [_incident(rng, first + n, WESTMINSTER, when, "stop", "stop-and-search") for n in range(count)]
    return Incident.objects.bulk_create(stops)


def _list_read_sql(user, filters: DashboardFilters) -> str:
    with CaptureQueriesContext(connection) as captured:
        rows = incident_page(user=user, filters=filters, size=9)["rows"]
    reads = [q["sql"] for q in captured if 'FROM "ingestion_incident"' in q["sql"] and "ORDER BY" in q["sql"]]
    assert [row.id for row in rows] == _whole_period_ids(user, filters, 9)
    return reads[-1]


def test_after_a_refresh_the_read_stops_at_the_newest_month_holding_a_match(dashboard_data, role_users):
    """Stops only in March 2023, under two years of newer crimes and calls: with nothing written since the refresh,
    the read is bounded above by March, so it never walks the newer rows backwards looking for a stop."""
    _stops_in_march_2023()
    analytics_refresh(full=True)
    assert rollups_hold_every_incident()
    user, stops = role_users["analyst"], DashboardFilters(kinds=("stop",))
    assert "2023-04-01" in _list_read_sql(user, stops)
    # a stop added since the refresh lies above the rollups' newest: the read is no longer bounded, and finds it
    (late,) = _stops_in_march_2023(1, first=999_999)
    Incident.objects.filter(pk=late.pk).update(occurred_at=timezone.now(), local_date=timezone.localdate())
    assert not rollups_hold_every_incident()
    assert "2023-04-01" not in _list_read_sql(user, stops)
    assert incident_page(user=user, filters=stops, size=9)["rows"][0].id == late.id


def test_the_live_feed_counts_back_from_the_newest_match_not_from_the_rollups_end(dashboard_data, role_users):
    """Stops only on 14 March 2023, the rollups running to the end of 2024 (as a CAD export may stop years before the
    police.uk months): the feed's window is the days holding them, found without summing every day between."""
    _stops_in_march_2023()
    analytics_refresh(full=True)
    user, stops = role_users["analyst"], DashboardFilters(kinds=("stop",))
    with CaptureQueriesContext(connection) as captured:
        window = newest_window(user=user, filters=stops, needed=5, timed=True)
    assert window == (dt.date(2023, 3, 14), 5, dt.date(2023, 3, 14))
    sums = [q["sql"] for q in captured if "SUM(" in q["sql"]]
    assert sums and all("2023-02-" in sql or "2023-03-" in sql for sql in sums), sums
    latest = [row.id for row in incidents_latest(user=user, filters=stops, limit=5)]
    assert latest == _whole_period_ids(user, stops, 5, time_precision=Incident.Precision.MINUTE)


@pytest.mark.parametrize("writer", ["import running", "import finished", "dispatch update"])
def test_an_incident_write_since_the_refresh_makes_the_rollups_stale(dashboard_data, writer):
    analytics_refresh(full=True)
    assert rollups_hold_every_incident()
    if writer == "dispatch update":
        call = Incident.objects.filter(kind="call").first()
        DispatchUpdate.objects.create(incident=call, incident_key=call.source_key, status="dispatched",
                                      updated_at=timezone.now())  # fmt: skip
    else:
        running = writer == "import running"
        ImportRun.objects.create(
            source="police_uk", target="x.csv", status="running" if running else "succeeded",
            finished_at=None if running else timezone.now(),
        )  # fmt: skip
    assert not rollups_hold_every_incident()
    analytics_refresh()  # the hourly sweep covers what was written (a running import stays open)
    assert rollups_hold_every_incident() is (writer != "import running")


def test_an_import_refreshed_on_its_own_leaves_the_rollups_whole(dashboard_data):
    analytics_refresh(full=True)
    run = ImportRun.objects.create(source="police_uk", target="x.csv", status="succeeded", finished_at=timezone.now())
    assert not rollups_hold_every_incident()
    analytics_refresh(run_id=run.pk)
    assert rollups_hold_every_incident()


def test_a_window_short_of_located_rows_reads_on_from_its_start(dashboard_data, role_users):
    """The rollups count every incident, the map only located ones. March 2023 holds enough stops but none with a
    location: the read goes on from March's start into older rows, never back over the whole period from its end."""
    march = _stops_in_march_2023()
    rng, when = random.Random(4), timezone.make_aware(dt.datetime(2022, 1, 10, 9, 0))
    older = Incident.objects.bulk_create(
        [_incident(rng, 950_000 + n, WESTMINSTER, when, "stop", "stop-and-search") for n in range(5)]
    )
    analytics_refresh(full=True)
    Incident.objects.filter(pk__in=[stop.pk for stop in march]).update(latitude=None, longitude=None)
    assert rollups_hold_every_incident()
    user, stops = role_users["analyst"], DashboardFilters(kinds=("stop",))
    with CaptureQueriesContext(connection) as captured:
        points = incident_points(user=user, filters=stops, limit=3)
    assert [row["id"] for row in points] == _whole_period_ids(user, stops, 3, latitude__isnull=False)
    assert {row["id"] for row in points} <= {stop.pk for stop in older}
    reads = [q["sql"] for q in captured if 'FROM "ingestion_incident"' in q["sql"] and "ORDER BY" in q["sql"]]
    assert len(reads) == 2 and "\"local_date\" < '2023-03-01'" in reads[-1], reads
