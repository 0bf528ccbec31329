"""The pages' Incident reads (latest feed, map points, list pages) stop after a page of rows on an index under each
filter-bar choice, instead of walking the table backwards past rows the filter drops (PostgreSQL plans)."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.filters import DashboardFilters
from dashboards.selectors import PAGE_SIZE, incident_page, incident_points, incidents_latest
from ingestion.models import Area, Incident
from tests.plans import relation_scans

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="query plans are PostgreSQL's"),
]
ROWS = 60_000
# Three years of rows in time order: crimes (monthly, with an LSOA), calls (minute, with a neighborhood and ZIP), and
# a few stops, all in the oldest tenth, so a backward scan of the time index would pass 90 % of the table before one.
INSERT_SQL = """
INSERT INTO ingestion_incident (source, source_key, kind, category, raw_category, occurred_at, time_precision,
    time_zone, local_date, latitude, longitude, h3_cell, location_text, force_id, borough_id, lsoa_id,
    neighborhood_id, zip_code_id, priority, status, outcome, outcome_history, context, origin, updated_at)
SELECT CASE k.kind WHEN 'call' THEN 'cad' ELSE 'police_uk' END, 'plan-' || g, k.kind,
    CASE k.kind WHEN 'crime' THEN 'burglary' WHEN 'call' THEN 'disorder' ELSE 'stop-and-search' END, '', o.t,
    CASE k.kind WHEN 'crime' THEN 'month' ELSE 'minute' END, 'UTC', o.t::date, 51.5, -0.1,
    '89195da' || lpad((g %% 5000)::text, 5, '0') || 'fff', '', 'plan-force', 'plan-b' || g %% 5,
    CASE k.kind WHEN 'crime' THEN 'plan-l' || g %% 3000 END, CASE k.kind WHEN 'call' THEN 'plan-n' || g %% 2000 END,
    CASE k.kind WHEN 'call' THEN 'plan-z' || g %% 1500 END, '', '', '', '[]'::jsonb, '', 'unknown', now()
FROM generate_series(1, %(rows)s) AS g,
    LATERAL (SELECT timestamptz '2021-01-01 00:00+00' + g * interval '25 minutes' AS t) o,
    LATERAL (SELECT CASE WHEN g <= %(rows)s / 10 AND g %% 10 = 0 THEN 'stop'
                         WHEN g %% 2 = 0 THEN 'crime' ELSE 'call' END AS kind) k
"""
THREE_YEARS = {"date_from": dt.date(2021, 1, 1), "date_to": dt.date(2023, 12, 31)}
# filter -> the index its reads must run on
CASES = {
    "kind=stop": ({"kinds": ("stop",)}, "incident_kind_time_id_idx"),
    "an LSOA": ({"areas": ("plan-l8",)}, "incident_lsoa_time_id_idx"),
    "a neighborhood": ({"areas": ("plan-n7",)}, "incident_nbhd_time_id_idx"),
    "a ZIP": ({"areas": ("plan-z7",)}, "incident_zip_time_id_idx"),
}
READS = {
    "latest feed": lambda user, filters: incidents_latest(user=user, filters=filters),
    "map points": lambda user, filters: incident_points(user=user, filters=filters),
    "incident list": lambda user, filters: incident_page(user=user, filters=filters),
}


@pytest.fixture(scope="module")
def _many_incidents(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        for code, kind in (("plan-l8", "lsoa"), ("plan-n7", "neighborhood"), ("plan-z7", "zip")):
            Area.objects.create(code=code, name=code, kind=kind)
        with connection.cursor() as cursor:
            cursor.execute(INSERT_SQL, {"rows": ROWS})
            cursor.execute("ANALYZE ingestion_incident")
    yield
    with django_db_blocker.unblock():
        Incident.objects.filter(source_key__startswith="plan-").delete()
        Area.objects.filter(code__startswith="plan-").delete()


@pytest.fixture
def many_incidents(_many_incidents, db):
    """Built once for the module (the plans depend on the table's statistics, not on a test's changes)."""


def _incident_read_sql(read, user, filters) -> str:
    with CaptureQueriesContext(connection) as captured:
        read(user, filters)
    (sql,) = [
        query["sql"] for query in captured if 'FROM "ingestion_incident"' in query["sql"] and "ORDER BY" in query["sql"]
    ]
    return sql


def _incident_scan(sql: str) -> tuple[str | list, int, int]:
    """The index the read's scan of Incident runs on (a list of them under a bitmap scan), the rows it returned and
    the rows it read only to drop them."""
    (scan,) = relation_scans(sql, "ingestion_incident", analyze=True)
    index = scan.get("Index Name") or [child.get("Index Name") for child in scan.get("Plans", [])]
    dropped = scan.get("Rows Removed by Filter", 0) + scan.get("Rows Removed by Index Recheck", 0)
    return index, scan["Actual Rows"], dropped


@pytest.mark.parametrize("read", READS)
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("period", ["all time", "three years"])
def test_each_filter_reads_a_page_of_incidents_on_its_own_index(many_incidents, role_users, read, case, period):
    choice, index = CASES[case]
    index = "incident_lsoa_minute_idx" if (read, case) == ("latest feed", "an LSOA") else index
    filters = DashboardFilters(**choice, **(THREE_YEARS if period == "three years" else {}))
    index_used, returned, dropped = _incident_scan(_incident_read_sql(READS[read], role_users["analyst"], filters))
    assert index_used in (index, [index])
    # it reads the rows it wants (at most the 600 stops, or a small area's few dozen), never a walk past others
    assert returned <= 600
    assert dropped <= 50


def test_the_live_feed_without_a_filter_skips_monthly_rows_on_its_partial_index(many_incidents, role_users):
    with connection.cursor() as cursor:  # the newest rows are monthly crimes: the feed has to pass them all
        cursor.execute("UPDATE ingestion_incident SET kind = 'crime', time_precision = 'month' WHERE id > "
                       "(SELECT max(id) - 20000 FROM ingestion_incident)")  # fmt: skip
        cursor.execute("ANALYZE ingestion_incident")
    read = _incident_read_sql(READS["latest feed"], role_users["analyst"], DashboardFilters())
    assert _incident_scan(read) == ("incident_minute_time_id_idx", 20, 0)


def test_the_live_feed_in_an_lsoa_of_monthly_crimes_reads_none_of_them(many_incidents, role_users):
    """Only police.uk names LSOAs, and its crimes are dated by month: the feed for a busy LSOA once walked every one of
    its crimes to find no timed row."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ingestion_incident SET lsoa_id = 'plan-l8' WHERE kind = 'crime' AND id % 10 = 0")
        cursor.execute("ANALYZE ingestion_incident")
    read = _incident_read_sql(READS["latest feed"], role_users["analyst"], DashboardFilters(areas=("plan-l8",)))
    index_used, returned, dropped = _incident_scan(read)
    assert index_used in ("incident_lsoa_minute_idx", ["incident_lsoa_minute_idx"])
    assert (returned, dropped) == (0, 0)


def test_a_period_of_many_pages_is_read_backwards_a_page_at_a_time(many_incidents, role_users):
    """A fortnight's 800 rows hold many pages of the list: the read walks the time index from the period's end and stops
    after a page, rather than fetch the period and sort it. The local day and the time were once estimated as
    independent, which put the week at 3 rows, fewer than a page (at 1 M incidents the map's month of 17,000 rows
    was estimated at 255, fewer than its 500 points: 22 ms instead of 0.4)."""
    period = DashboardFilters(date_from=dt.date(2022, 6, 1), date_to=dt.date(2022, 6, 14))
    index_used, returned, _dropped = _incident_scan(_incident_read_sql(READS["incident list"], role_users["analyst"],
                                                                       period))  # fmt: skip
    assert index_used == "incident_time_id_idx", (index_used, returned)
    assert returned == PAGE_SIZE + 1  # a page and one more, not the fortnight's 800


def test_a_month_of_a_source_is_read_from_its_own_zone_s_midnights(many_incidents, role_users):
    """A police.uk month sits at one instant, its 1st's midnight in London. A read of June walks back from July's
    first moment there, not from a day later (the widening that serves any zone), which held all of July's rows ahead
    of June's: 123,000 rows at 10 M incidents, 44-87 ms of a tactical page."""
    with connection.cursor() as cursor:  # every crime in June 2022 (a third) or July (the rest), as police.uk has them
        cursor.execute(
            "UPDATE ingestion_incident SET time_zone = 'Europe/London', occurred_at = CASE WHEN occurred_at < "
            "'2022-01-01' THEN timestamptz '2022-05-31 23:00+00' ELSE timestamptz '2022-06-30 23:00+00' END, "
            "local_date = CASE WHEN occurred_at < '2022-01-01' THEN date '2022-06-01' ELSE date '2022-07-01' END "
            "WHERE kind = 'crime'"
        )
        cursor.execute("UPDATE ingestion_incident SET time_zone = 'Europe/London' WHERE source = 'police_uk'")
        cursor.execute("ANALYZE ingestion_incident")
    june = DashboardFilters(
        date_from=dt.date(2022, 6, 1), date_to=dt.date(2022, 6, 30), sources=("police_uk",), kinds=("crime",)
    )
    points = incident_points(user=role_users["analyst"], filters=june)
    assert len(points) == 500
    assert {point["occurred_at"] for point in points} == {dt.datetime(2022, 5, 31, 23, tzinfo=dt.UTC)}
    _index, returned, dropped = _incident_scan(_incident_read_sql(READS["map points"], role_users["analyst"], june))
    assert returned == 500
    assert dropped < 2_000  # July's 20,000 crimes are not among them
