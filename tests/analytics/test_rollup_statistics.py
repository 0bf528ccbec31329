"""MonthlyCount's filter columns are not independent (a source holds one kind): the planner's row estimates come from
their combined statistics (migration 0020), so a large grouping is hashed, not sorted as if it were a few rows."""

import pytest
from django.conf import settings
from django.db import connection

from tests.plans import relation_scans

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="planner statistics are PostgreSQL's"),
]
# Four sources, each holding one kind only; 30 categories; 200 areas x 12 months
INSERT_SQL = """
INSERT INTO analytics_monthlycount (level, area_code, borough_code, month, category, kind, origin, source, count)
SELECT 'lsoa', 'stat-a' || a, 'stat-b', date '2024-01-01' + (m || ' month')::interval, 'stat-c' || (a + m) % 30,
    (ARRAY['crime', 'call', 'stop', 'asb'])[1 + a % 4], 'public_report',
    (ARRAY['puk', 'cad', 'stops', 'asb'])[1 + a % 4],
    1
FROM generate_series(0, 199) AS a, generate_series(0, 11) AS m
"""


def test_a_source_and_its_kind_are_estimated_together():
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL)
        cursor.execute("ANALYZE analytics_monthlycount")
    sql = (
        "SELECT area_code, category, sum(count) FROM analytics_monthlycount "
        "WHERE level = 'lsoa' AND kind = 'crime' AND source = 'puk' GROUP BY 1, 2"
    )
    (scan,) = relation_scans(sql, "analytics_monthlycount", analyze=True)
    actual, estimated = scan["Actual Rows"], scan["Plan Rows"]
    assert actual == 50 * 12
    assert actual / 1.5 <= estimated <= actual * 1.5, (estimated, actual)  # independent columns would say a quarter
