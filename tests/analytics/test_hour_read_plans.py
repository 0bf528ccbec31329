"""The hour-by-weekday reads run on an index whatever the filters (PostgreSQL plans): with a category chosen they read
HourWeekdayCount by (level, category, month), an index that covers the read; without one, HourWeekdayTotal, the
same counts summed over category."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.filters import AnalyticsFilters
from analytics.selectors import hour_weekday_matrix
from tests.plans import relation_scans

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="query plans are PostgreSQL's"),
]
# Three years of force-level hour rows over 40 categories and 10 boroughs: a category is a fortieth of them.
INSERT_SQL = """
INSERT INTO analytics_hourweekdaycount (level, area_code, borough_code, month, category, kind, source, weekday, hour,
    count)
SELECT 'force', 'plan-force', 'plan-b' || b, date '2021-01-01' + (m || ' month')::interval, 'plan-c' || c, 'call',
    'cad', 1 + (c + b) % 7, (c * 7 + b) % 24, 1 + c
FROM generate_series(0, 35) AS m, generate_series(0, 39) AS c, generate_series(0, 9) AS b
"""


def _hour_read_sql(user, filters: AnalyticsFilters, table: str) -> str:
    with CaptureQueriesContext(connection) as captured:
        hour_weekday_matrix(user=user, filters=filters)
    (sql,) = [query["sql"] for query in captured if f'FROM "{table}"' in query["sql"]]
    return sql


def test_a_chosen_category_reads_the_hour_table_on_its_category_index(role_users):
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL)
        cursor.execute("ANALYZE analytics_hourweekdaycount")
    filters = AnalyticsFilters(categories=("plan-c7",), date_from=dt.date(2022, 1, 1))
    sql = _hour_read_sql(role_users["analyst"], filters, "analytics_hourweekdaycount")
    scans = relation_scans(sql, "analytics_hourweekdaycount", analyze=True)
    assert scans and all(scan["Node Type"] != "Seq Scan" for scan in scans), scans
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row for (row,) in cursor.fetchall())
    assert "hw_level_category_cover_idx" in plan, plan
    assert sum(scan["Actual Rows"] for scan in scans) == 24 * 10  # 24 months x 10 boroughs of one category


@pytest.mark.django_db(transaction=True)  # VACUUM runs outside a transaction only
def test_after_the_refresh_vacuum_a_category_is_read_from_its_index_alone(role_users):
    """The full refresh ends with VACUUM (ANALYZE): the category read then never visits the scattered heap pages."""
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL)
        cursor.execute("VACUUM (ANALYZE) analytics_hourweekdaycount")
    filters = AnalyticsFilters(
        categories=("plan-c7",), sources=("cad",), kinds=("call",), date_from=dt.date(2022, 1, 1)
    )
    sql = _hour_read_sql(role_users["analyst"], filters, "analytics_hourweekdaycount")
    (scan,) = relation_scans(sql, "analytics_hourweekdaycount", analyze=True)
    assert scan["Node Type"] == "Index Only Scan" and scan["Index Name"] == "hw_level_category_cover_idx", scan
    assert scan["Heap Fetches"] == 0 and scan["Actual Rows"] == 24 * 10, scan


def test_no_category_reads_the_totals(role_users):
    sql = _hour_read_sql(role_users["analyst"], AnalyticsFilters(kinds=("call",)), "analytics_hourweekdaytotal")
    assert "analytics_hourweekdaycount" not in sql
