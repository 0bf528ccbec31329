"""Distinct values by a loose index scan: the same values as SELECT DISTINCT, from a few index probes."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import MonthlyCount
from crimedash.distinct import distinct_values
from tests.plans import relation_scans

CATEGORIES = [f"category-{n:02d}" for n in range(14)]


def _counts(*, months: int = 4) -> None:
    rows = [
        MonthlyCount(level=level, area_code=borough if level == "borough" else "force", borough_code=borough,
                     month=dt.date(2015 + index // 12, index % 12 + 1, 1), category=category, kind="crime",
                     origin="", source="police_uk", count=1)
        for level in ("force", "borough")
        for borough in ("b1", "b2", "b3")
        for index in range(months)
        for category in CATEGORIES[: 5 if borough == "b3" else None]  # b3 holds only the first five
    ]  # fmt: skip
    MonthlyCount.objects.bulk_create(rows)


def _plain(queryset, field: str) -> list:
    return sorted(set(queryset.values_list(field, flat=True).distinct()))


@pytest.mark.django_db
def test_the_values_are_those_select_distinct_finds_in_order_within_the_filters():
    _counts()
    force = MonthlyCount.objects.filter(level="force")
    b3 = MonthlyCount.objects.filter(level="borough", borough_code__in=["b3"])
    assert distinct_values(force, "category") == _plain(force, "category") == CATEGORIES
    assert distinct_values(b3, "category") == _plain(b3, "category") == CATEGORIES[:5]
    assert distinct_values(b3.filter(category__gt="category-02"), "category") == CATEGORIES[3:5]
    assert distinct_values(MonthlyCount.objects.filter(level="lsoa"), "category") == []


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="query plans are PostgreSQL's")
@pytest.mark.django_db
def test_each_value_is_one_index_probe_not_a_read_of_every_row():
    _counts(months=100)  # 4,200 force rows
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE analytics_monthlycount")
    force = MonthlyCount.objects.filter(level="force")
    with CaptureQueriesContext(connection) as captured:
        distinct_values(force, "category")
    scans = relation_scans(captured[-1]["sql"], "analytics_monthlycount", analyze=True)
    read = sum(scan["Actual Rows"] * scan["Actual Loops"] for scan in scans)
    assert all(scan["Node Type"].startswith("Index") for scan in scans)
    assert read <= len(CATEGORIES) + 1  # one entry per category (a plain DISTINCT reads all 4,200)
