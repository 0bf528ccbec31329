"""The monthly-counts API's pages of one area read MonthlyCount on an index that leads with it (PostgreSQL plans): an
area matches by area_code or borough_code at any level, and neither led an index."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.plans import relation_scans

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="query plans are PostgreSQL's"),
]
# 300 areas of 10 boroughs x 36 months x 20 categories
INSERT_SQL = """
INSERT INTO analytics_monthlycount (level, area_code, borough_code, month, category, kind, origin, source, count)
SELECT 'post', 'plan-post-' || a, 'plan-b' || a % 10, date '2021-01-01' + (m || ' month')::interval, 'plan-c' || c,
    'call', 'public_report', 'cad', 1 + c
FROM generate_series(0, 299) AS a, generate_series(0, 35) AS m, generate_series(0, 19) AS c
"""


@pytest.mark.parametrize("area", ["plan-post-7", "plan-b3"])
def test_a_page_of_one_area_reads_on_an_index(client_for, area):
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL)
        cursor.execute("ANALYZE analytics_monthlycount")
    client = client_for("analyst")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/analytics/monthly-counts/", {"area": area, "kind": "call", "source": "cad"})
    assert response.status_code == 200 and response.json()["results"]
    (sql,) = [q["sql"] for q in captured if 'FROM "analytics_monthlycount"' in q["sql"] and "LIMIT" in q["sql"]]
    scans = relation_scans(sql, "analytics_monthlycount", analyze=True)
    assert scans and all("Seq Scan" not in scan["Node Type"] for scan in scans), [s["Node Type"] for s in scans]
    # nor an index walked in (month, id) order past every other area's rows
    removed = sum(scan.get("Rows Removed by Filter", 0) for scan in scans)
    assert removed < 1000, [(s["Node Type"], s.get("Index Name"), removed) for s in scans]
