"""Calls for service summary and the filters the dashboards parse from the URL."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse

from analytics.filters import AnalyticsFilters
from analytics.refresh import analytics_refresh
from tests.analytics.factories import incidents, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(areas):
    timed = {"time_precision": "minute", "kind": "call"}
    incidents(10, occurred_at=local(2023, 3, 6, 9), category="overdose", priority="High", **timed)  # a Monday
    incidents(30, occurred_at=local(2023, 3, 7, 9), category="assault", priority="Low", **timed)
    incidents(20, occurred_at=local(2024, 3, 4, 9), category="overdose", priority="High", **timed)
    incidents(20, occurred_at=local(2024, 3, 5, 9), category="assault", priority="Low", **timed)
    analytics_refresh(full=True)


def test_calls_summary_overdose_priority_mix_and_category_shift(client_for, calls):
    data = client_for("analyst").get(reverse("analytics-calls")).json()
    assert data["overdose"]["by_year"] == {"x": [2023, 2024], "y": [10, 20]}
    assert data["overdose"]["by_weekday"]["y"] == [30, 0, 0, 0, 0, 0, 0]
    assert {row["priority"]: row["share"] for row in data["priority_mix"]} == {"High": 0.375, "Low": 0.625}
    shift = {row["category"]: row["share_change"] for row in data["category_shift"]}
    assert shift == {"overdose": 0.25, "assault": -0.25}  # 25 % of calls in 2023, 50 % in 2024
    assert data["by_area"][0]["area_code"] == "E09000033"


def test_filters_parse_from_a_query_string():
    params = QueryDict("date_from=2024-01&date_to=2024-03&area=E09000033,E09000007&category=burglary&level=lsoa")
    filters = AnalyticsFilters.from_query(params)
    assert (filters.date_from, filters.date_to) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert filters.areas == ("E09000007", "E09000033") and filters.level == "lsoa"


def test_bad_filter_values_are_ignored():
    filters = AnalyticsFilters.from_query({"date_from": "yesterday", "level": "planet"})
    assert filters.date_from is None and filters.level == "borough"
