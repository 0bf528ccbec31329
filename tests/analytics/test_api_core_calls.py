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
    [data] = client_for("analyst").get(reverse("analytics-calls")).json()  # one section per source
    assert [(row["year"], row["total"]) for row in data["overdose"]["by_year"]] == [(2023, 10), (2024, 20)]
    assert [row["total"] for row in data["overdose"]["by_weekday"]] == [30, 0, 0, 0, 0, 0, 0]
    assert {row["priority"]: row["share"] for row in data["priority_mix"]} == {"High": 0.375, "Low": 0.625}
    shift = {row["category"]: row["change_pp"] for row in data["year_shift"]["rows"]}
    assert shift == {"overdose": 25.0, "assault": -25.0}  # 25 % of calls in 2023, 50 % in 2024
    assert data["by_area"]["borough"][0]["area_code"] == "E09000033"


@pytest.fixture
def few_priorities(areas):
    timed = {"time_precision": "minute", "kind": "call", "category": "assault"}
    for count, priority in ((3, "1"), (20, "2"), (30, "3")):
        incidents(count, occurred_at=local(2024, 3, 5, 9), priority=priority, **timed)
    analytics_refresh(full=True)


def test_a_commander_gets_no_share_of_a_hidden_count(client_for, few_priorities):
    """The probe that found the leak: {'count': None, 'share': 0.13} beside {'count': 20, 'share': 0.87} gave the
    hidden 3 back. Now a hidden count has no share, and the smallest other count is hidden with it."""
    [data] = client_for("commander").get(reverse("analytics-calls")).json()
    mix = {row["priority"]: (row["total"], row["share"]) for row in data["priority_mix"]}
    assert mix == {"1": (None, None), "2": (None, None), "3": (30, 0.566)}


@pytest.fixture
def small_months(areas):
    timed = {"time_precision": "minute", "kind": "call"}
    incidents(30, occurred_at=local(2023, 3, 7, 9), category="assault", **timed)
    incidents(2, occurred_at=local(2023, 5, 7, 9), category="welfare", **timed)  # two small months: a year of 5
    incidents(3, occurred_at=local(2023, 6, 7, 9), category="welfare", **timed)
    incidents(20, occurred_at=local(2024, 3, 5, 9), category="assault", **timed)
    incidents(20, occurred_at=local(2024, 4, 5, 9), category="welfare", **timed)
    analytics_refresh(full=True)


def test_the_year_shift_sums_each_year_before_it_suppresses(client_for, small_months):
    """The shift's years are summed from the section's months as counted, not as shown: a commander, who sees
    neither welfare month of 2023 (2 and 3 calls), sees its year (5 of 35 calls) and its shift."""
    for role in ("commander", "analyst"):
        [data] = client_for(role).get(reverse("analytics-calls")).json()
        months = {(row["month"], row["category"]): row["total"] for row in data["by_type"]}
        assert months[("2023-05-01", "welfare")] == (None if role == "commander" else 2), role
        shift = {row["category"]: (row["previous_share"], row["share"]) for row in data["year_shift"]["rows"]}
        assert shift == {"welfare": (0.1429, 0.5), "assault": (0.8571, 0.5)}, role


def test_the_page_draws_the_numbers_the_api_returns(client_for, few_priorities):
    for role in ("commander", "analyst"):
        client = client_for(role)
        [api] = client.get(reverse("analytics-calls")).json()
        [section] = client.get(reverse("dashboards:tactical")).context["calls"]
        charts = {chart["id"].rsplit("-", 1)[0]: chart["figure"]["data"][0] for chart in section["charts"]}
        drawn = dict(zip(charts["calls-priority"]["x"], charts["calls-priority"]["y"], strict=True))
        assert drawn == {row["priority"]: row["total"] for row in api["priority_mix"]}, role
        by_district = dict(zip(charts["calls-borough"]["y"], charts["calls-borough"]["x"], strict=True))
        assert by_district == {row["name"]: row["total"] for row in api["by_area"]["borough"]}, role


def test_filters_parse_from_a_query_string():
    params = QueryDict("date_from=2024-01&date_to=2024-03&area=E09000033,E09000007&category=burglary&level=lsoa")
    filters = AnalyticsFilters.from_query(params)
    assert (filters.date_from, filters.date_to) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert filters.areas == ("E09000007", "E09000033") and filters.level == "lsoa"


def test_bad_filter_values_are_ignored():
    filters = AnalyticsFilters.from_query({"date_from": "yesterday", "level": "planet"})
    assert filters.date_from is None and filters.level == "borough"


def test_a_source_or_period_without_calls_has_no_section_and_costs_two_reads(calls, role_users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from analytics.selectors import calls_sections

    user = role_users["analyst"]
    # the fixture's calls are all police_uk's, in 2023 and 2024
    for filters in (AnalyticsFilters(sources=("baltimore_911",)), AnalyticsFilters(sources=("police_uk",),
                    date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 6, 30))):  # fmt: skip
        with CaptureQueriesContext(connection) as captured:
            assert calls_sections(user=user, filters=filters) == []
        reads = [q["sql"] for q in captured if "analytics_" in q["sql"]]
        assert len(reads) <= 2, reads  # the latest month (with no dates chosen) and the month-by-type history


def test_a_month_in_a_calls_section_drills_to_that_month_of_that_source(client_for, calls):
    """The section's period and source fill in what a point leaves out; a point's own month is kept (the section's
    period replaced it, so every month drilled to the whole three years)."""
    from urllib.parse import parse_qs

    [section] = client_for("analyst").get(reverse("dashboards:tactical")).context["calls"]
    trend = next(chart for chart in section["charts"] if chart["id"].startswith("calls-type"))
    trace = trend["figure"]["data"][0]
    month, query = trace["x"][-1], parse_qs(trace["customdata"][-1])
    assert (query["date_from"], query["date_to"]) == ([f"{month}-01"], [f"{month}-31"])  # 2024-03
    assert (query["source"], query["kind"], query["category"]) == (["police_uk"], ["call"], ["assault"])
