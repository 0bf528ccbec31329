"""Rollup counts equal counts made by hand, at every level, in local time."""

import datetime as dt

import pytest
from django.db.models import Sum

from analytics.models import (
    AreaMonthTotal,
    DailyCount,
    H3MonthlyCount,
    HourWeekdayCount,
    HourWeekdayTotal,
    Level,
    MonthlyCount,
    OutcomeCount,
    PriorityMonthTotal,
)
from analytics.rollups import Slice, rollups_rebuild
from tests.analytics.factories import CAMDEN, LSOA_C1, LSOA_W2, WESTMINSTER, incidents, local

pytestmark = pytest.mark.django_db


def _count(model=MonthlyCount, **where) -> int:
    return sum(model.objects.filter(**where).values_list("count", flat=True))


def test_monthly_counts_match_hand_counts_at_each_level():
    incidents(3, occurred_at=local(2024, 1, 1))
    incidents(2, occurred_at=local(2024, 1, 1), lsoa_id=LSOA_W2, category="robbery")
    incidents(4, occurred_at=local(2024, 2, 1), borough_id=CAMDEN, lsoa_id=LSOA_C1, h3_cell="")
    rollups_rebuild(where=Slice())
    january = dt.date(2024, 1, 1)
    assert _count(level=Level.FORCE, month=january) == 5
    assert _count(level=Level.BOROUGH, area_code=WESTMINSTER, month=january) == 5
    assert _count(level=Level.LSOA, area_code=LSOA_W2, category="robbery") == 2
    assert _count(level=Level.BOROUGH, area_code=CAMDEN, month=dt.date(2024, 2, 1)) == 4
    assert _count(H3MonthlyCount, level=Level.H3) == 5  # Camden's incidents have no cell


def test_force_level_counts_incidents_without_a_force_or_borough():
    incidents(2, force_id=None, borough_id=None)
    rollups_rebuild(where=Slice())
    assert _count(level=Level.FORCE, area_code="", borough_code="") == 2
    assert _count(level=Level.BOROUGH) == 0


def test_month_is_taken_in_local_time():
    # 00:30 on 1 June in London is 23:30 on 31 May in UTC: it belongs to June.
    incidents(1, occurred_at=local(2024, 6, 1, 0, 30), time_precision="minute")
    rollups_rebuild(where=Slice())
    assert MonthlyCount.objects.get(level=Level.FORCE).month == dt.date(2024, 6, 1)
    assert DailyCount.objects.get(level=Level.FORCE).day == dt.date(2024, 6, 1)


def test_hour_weekday_counts_only_minute_precision_incidents():
    incidents(2, occurred_at=local(2024, 6, 3, 23, 30), time_precision="minute")  # a Monday
    incidents(5, occurred_at=local(2024, 6, 1))  # monthly precision: no hour
    rollups_rebuild(where=Slice())
    cell = HourWeekdayCount.objects.get(level=Level.FORCE)
    assert (cell.weekday, cell.hour, cell.count) == (1, 23, 2)


def test_outcome_counts_by_last_outcome():
    incidents(3, outcome="Offender given a caution")
    incidents(1, outcome="")
    rollups_rebuild(where=Slice())
    rows = OutcomeCount.objects.filter(level=Level.BOROUGH)
    assert {row.outcome: row.count for row in rows} == {"Offender given a caution": 3, "": 1}


def test_origin_is_kept_so_rankings_can_use_reported_incidents_only():
    incidents(3, origin="public_report")
    incidents(2, origin="police_generated", category="drugs")
    rollups_rebuild(where=Slice())
    assert _count(level=Level.BOROUGH, origin="public_report") == 3
    assert _count(level=Level.BOROUGH, origin="police_generated") == 2


def test_rebuilding_a_slice_leaves_other_slices_alone():
    incidents(3, occurred_at=local(2024, 1, 1))
    incidents(4, occurred_at=local(2024, 1, 1), borough_id=CAMDEN, lsoa_id=LSOA_C1)
    rollups_rebuild(where=Slice())
    incidents(2, occurred_at=local(2024, 1, 1), borough_id=CAMDEN, lsoa_id=LSOA_C1)
    rollups_rebuild(where=Slice(months=("2024-01",), boroughs=(CAMDEN,)))
    assert _count(level=Level.BOROUGH, area_code=CAMDEN) == 6
    assert _count(level=Level.BOROUGH, area_code=WESTMINSTER) == 3
    assert _count(level=Level.FORCE) == 9


def _by_area(model) -> dict:
    keys = ("level", "area_code", "borough_code", "month", "kind", "source")
    rows = model.objects.values(*keys).annotate(total=Sum("count")).values_list(*keys, "total")
    return {tuple(row[:-1]): row[-1] for row in rows}


def test_area_month_totals_sum_monthly_counts_over_category_and_origin_after_a_slice_refresh():
    incidents(3, occurred_at=local(2024, 1, 1))
    incidents(2, occurred_at=local(2024, 1, 1), lsoa_id=LSOA_W2, category="robbery", origin="proactive")
    incidents(4, occurred_at=local(2024, 2, 1), borough_id=CAMDEN, lsoa_id=LSOA_C1)
    rollups_rebuild(where=Slice())
    incidents(5, occurred_at=local(2024, 2, 1), borough_id=CAMDEN, lsoa_id=LSOA_C1, category="robbery")
    rollups_rebuild(where=Slice(months=("2024-02",), boroughs=(CAMDEN,)))
    totals = _by_area(AreaMonthTotal)
    assert totals == _by_area(MonthlyCount)
    assert AreaMonthTotal.objects.count() < MonthlyCount.objects.count()  # categories and origins folded
    assert totals[("lsoa", LSOA_C1, CAMDEN, dt.date(2024, 2, 1), "crime", "police_uk")] == 9


def test_priority_month_totals_sum_daily_counts_over_day_and_category():
    incidents(3, occurred_at=local(2024, 1, 5, 10), time_precision="minute", kind="call", category="assault",
              priority="High", source="baltimore_911")  # fmt: skip
    incidents(2, occurred_at=local(2024, 1, 20, 10), time_precision="minute", kind="call", category="overdose",
              priority="High", source="baltimore_911")  # fmt: skip
    rollups_rebuild(where=Slice())
    keys = ("level", "area_code", "month", "kind", "source", "priority")
    daily = DailyCount.objects.values(*keys).annotate(total=Sum("count")).values_list(*keys, "total")
    totals = PriorityMonthTotal.objects.values_list(*keys, "count")
    assert sorted(totals) == sorted(daily)
    assert PriorityMonthTotal.objects.get(level=Level.BOROUGH).count == 5


def test_hour_weekday_totals_sum_hour_counts_over_category_after_a_slice_refresh():
    timed = {"time_precision": "minute", "kind": "call"}
    incidents(3, occurred_at=local(2024, 1, 1, 9), category="assault", **timed)
    incidents(2, occurred_at=local(2024, 1, 1, 9, 30), category="overdose", **timed)
    incidents(4, occurred_at=local(2024, 2, 6, 22), borough_id=CAMDEN, lsoa_id=LSOA_C1, **timed)
    incidents(6, occurred_at=local(2024, 2, 6, 22))  # month precision: in no hour table
    rollups_rebuild(where=Slice())
    incidents(5, occurred_at=local(2024, 2, 6, 22), borough_id=CAMDEN, lsoa_id=LSOA_C1, category="robbery", **timed)
    rollups_rebuild(where=Slice(months=("2024-02",), boroughs=(CAMDEN,)))
    keys = ("level", "area_code", "borough_code", "month", "kind", "source", "weekday", "hour")
    counts = HourWeekdayCount.objects.values(*keys).annotate(total=Sum("count")).values_list(*keys, "total")
    totals = HourWeekdayTotal.objects.values_list(*keys, "count")
    assert sorted(totals) == sorted(counts)
    assert HourWeekdayTotal.objects.count() < HourWeekdayCount.objects.count()  # categories folded
    assert HourWeekdayTotal.objects.get(level=Level.FORCE, month=dt.date(2024, 1, 1)).count == 5
    assert HourWeekdayTotal.objects.get(level=Level.BOROUGH, borough_code=CAMDEN, hour=22).count == 9
