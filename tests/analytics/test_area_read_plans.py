"""A finer area than a borough (an LSOA, a post, a ZIP) is read on the index that leads with the area (PostgreSQL
plans). Rows carry their borough, so a borough is also matched by its code there; asking the same of a post only kept
the planner on the category index, walking every post's rows of the category (80-560 ms at 10 M incidents)."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.filters import AnalyticsFilters
from analytics.models import DailyCount
from analytics.selectors import visible_rollups
from dashboards.selectors import _newest_periods
from ingestion.models import Area
from tests.plans import relation_scans

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="query plans are PostgreSQL's"),
]
# Two years of post-level days: 400 posts in 5 districts, 4 categories; a post is a 400th of them.
INSERT_SQL = """
INSERT INTO analytics_dailycount (level, area_code, borough_code, month, day, category, kind, source, priority, count)
SELECT 'post', 'plan-p' || p, 'plan-d' || p % 5, date_trunc('month', date '2023-01-01' + d)::date,
    date '2023-01-01' + d, 'plan-c' || c, 'call', 'cad', '', 1
FROM generate_series(0, 729, 3) AS d, generate_series(0, 399) AS p, generate_series(0, 3) AS c
"""


def _days_read(user, filters: AnalyticsFilters) -> str:
    """The SQL of the newest-first reads' count of matches per day (dashboards.selectors._newest_periods)."""
    with CaptureQueriesContext(connection) as captured:
        _newest_periods(DailyCount, user=user, filters=filters, level="post", needed=10**9)
    (sql,) = [query["sql"] for query in captured if 'FROM "analytics_dailycount"' in query["sql"]]
    return sql


def test_a_post_is_read_on_the_index_that_leads_with_its_area(role_users):
    Area.objects.create(code="plan-p7", name="Post 7", kind=Area.Kind.POST)
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL)
        cursor.execute("ANALYZE analytics_dailycount")
    filters = AnalyticsFilters(areas=("plan-p7",), categories=("plan-c1",), date_to=dt.date(2024, 12, 31))
    sql = _days_read(role_users["analyst"], filters)
    assert '"borough_code" IN' not in sql
    scans = relation_scans(sql, "analytics_dailycount", analyze=True)
    assert [scan.get("Index Name") for scan in scans] == ["dc_grain_unique"], scans
    assert sum(scan["Actual Rows"] for scan in scans) == 244  # the post's days of one category


def test_a_district_is_still_matched_by_its_rows_borough(role_users):
    Area.objects.create(code="plan-d2", name="District 2", kind=Area.Kind.DISTRICT)
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL)
    filters = AnalyticsFilters(areas=("plan-d2",), categories=("plan-c1",))
    rows = visible_rollups(DailyCount, user=role_users["analyst"], filters=filters, level="post")
    assert rows.count() == 80 * 244  # its 80 posts' days
