"""The newest-first Incident reads (latest feed, map points, list pages) first ask the rollups where the newest
matches are and read only from there: the same rows as reading the whole period, under any filters, for any scope."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboards.filters import DashboardFilters
from dashboards.selectors import (
    incident_page,
    incident_points,
    incidents_filtered,
    incidents_latest,
    incidents_visible_to,
    newest_window,
)
from ingestion.models import Incident
from tests.dashboards.factories import CALL_TYPES, CAMDEN, CATEGORIES, WESTMINSTER

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
    start, held = newest_window(user=user, filters=DashboardFilters(categories=("burglary",)), needed=10)
    # 3 burglaries a month in each of two boroughs: the last two months of 2024 hold 12
    assert (start, held) == (dt.date(2024, 11, 1), 12)
    with CaptureQueriesContext(connection) as captured:
        incident_points(user=user, filters=DashboardFilters(categories=("burglary",)), limit=10)
    (read,) = [q["sql"] for q in captured if 'FROM "ingestion_incident"' in q["sql"] and "LIMIT" in q["sql"]]
    assert "2024-11-01" in read


def test_filters_nothing_matches_read_only_rows_newer_than_the_last_refresh(dashboard_data, role_users):
    user = role_users["analyst"]
    start, held = newest_window(user=user, filters=DashboardFilters(kinds=("stop",)), needed=20)
    assert (start, held) == (dt.date(2025, 1, 1), 0)
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
    start, held = newest_window(user=user, filters=DashboardFilters(areas=("city",)), needed=20)
    assert (start, held) == (dt.date(2025, 1, 1), 0)
    assert incident_points(user=user, filters=DashboardFilters(areas=("city",))) == []
    assert incident_total(user=user, filters=DashboardFilters(areas=("city",))) == 0
    met = DashboardFilters(areas=("met",), kinds=("call",))
    assert incident_total(user=user, filters=met) == Incident.objects.filter(force_id="met", kind="call").count()
    assert [row.id for row in incident_page(user=user, filters=met, size=9)["rows"]] == _whole_period_ids(user, met, 9)
