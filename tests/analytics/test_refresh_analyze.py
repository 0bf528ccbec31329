"""A refresh ANALYZEs a rollup table only when it changed materially (autovacuum's rule), and derives every stored
result for its slice exactly as a full refresh does."""

import datetime as dt

import pytest
from django.conf import settings

from analytics.models import (
    CalendarEffect,
    CorrelationResult,
    Level,
    MonthlyCount,
    SeasonalDecomposition,
    StrategicMetric,
)
from analytics.refresh import analytics_refresh
from analytics.temporal import _top_categories
from crimedash.dbstats import ANALYZE_THRESHOLD, tables_analyze
from ingestion.models import ImportRun
from tests.analytics.factories import CAMDEN, LSOA_C1, incidents, local

pytestmark = pytest.mark.django_db
RESULTS = (SeasonalDecomposition, CalendarEffect, StrategicMetric, CorrelationResult)


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="planner statistics are PostgreSQL's")
def test_a_table_is_analyzed_only_when_its_rows_changed_materially():
    table = MonthlyCount._meta.db_table
    MonthlyCount.objects.all().delete()
    assert tables_analyze(tables=[table]) == [table]  # it now counts 0 rows
    assert tables_analyze(tables=[table], written={table: ANALYZE_THRESHOLD}) == []
    assert tables_analyze(tables=[table], written={table: ANALYZE_THRESHOLD + 1}) == [table]


def _results() -> dict:
    return {
        model.__name__: sorted(
            repr(row)
            for row in model.objects.values_list(
                *[f.name for f in model._meta.fields if f.name not in ("id", "computed_at")]
            )
        )
        for model in RESULTS
    }


def test_an_incremental_refresh_derives_the_results_a_full_one_does(areas):
    for year in (2022, 2023, 2024):
        for month in range(1, 13):
            incidents(3, occurred_at=local(year, month, 2), borough_id=CAMDEN, lsoa_id=LSOA_C1, outcome="Court")
    analytics_refresh(full=True)
    run = ImportRun.objects.create(source="police_uk", target="test", months_touched=["2024-12"],
                                   areas_touched=[CAMDEN])  # fmt: skip
    incidents(9, occurred_at=local(2024, 12, 20), borough_id=CAMDEN, lsoa_id=LSOA_C1, import_run=run)
    analytics_refresh(run_id=run.pk)
    incremental = _results()
    analytics_refresh(full=True)
    assert incremental == _results()
    assert StrategicMetric.objects.get(area_code=CAMDEN, year=2024).recorded == 36 + 9


def test_tied_categories_are_chosen_by_name_whatever_order_their_rows_came_in():
    # A slice's refresh and a full one read the series in different orders: ties must not depend on it.
    months = {dt.date(2024, 1, 1): 5}
    for names in ("abcdefg", "gfedcba"):
        series = {(Level.BOROUGH, "b", name): months for name in names}
        assert _top_categories(series)[(Level.BOROUGH, "b")] == set("abcde")
