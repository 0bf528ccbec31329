"""Temporal patterns with known answers: STL finds a planted season, weekends and bank holidays are measured."""

import datetime as dt

import numpy as np
import pytest
from django.core.management import call_command

from analytics import selectors
from analytics.filters import AnalyticsFilters
from analytics.models import CalendarEffect, ContextSeries, SeasonalDecomposition
from analytics.refresh import analytics_refresh
from analytics.temporal import calendar_effects, holiday_calendar, stl_decompose
from tests.analytics.factories import WESTMINSTER, incidents, local


def test_stl_recovers_a_planted_yearly_season():
    months = np.arange(36)
    values = 100 + 30 * np.sin(2 * np.pi * months / 12)
    result = stl_decompose(values)
    assert result["seasonal_strength"] > 0.9
    assert np.argmax(result["seasonal"][:12]) == 3  # the sine peaks in the fourth month


def test_stl_needs_two_years():
    assert stl_decompose(np.ones(23)) is None


def test_weekend_and_bank_holiday_effects():
    days = [dt.date(2024, 5, 1) + dt.timedelta(days=n) for n in range(31)]  # May 2024: bank holidays 6th and 27th
    daily = {day: 20 if day.weekday() >= 5 else (30 if day.day in (6, 27) else 10) for day in days}
    effects = calendar_effects(daily, holiday_calendar(WESTMINSTER, [2024]))
    weekend_on, weekend_off = effects[CalendarEffect.Effect.WEEKEND]
    holiday_on, holiday_off = effects[CalendarEffect.Effect.HOLIDAY]
    assert (np.mean(weekend_on), len(weekend_on)) == (20, 8)
    assert (np.mean(holiday_on), len(holiday_on)) == (30, 2)
    assert np.mean(holiday_off) == 10


def test_baltimore_uses_us_holidays():
    assert dt.date(2024, 7, 4) in holiday_calendar("bal-district:NORTHERN", [2024])
    assert dt.date(2024, 7, 4) not in holiday_calendar(WESTMINSTER, [2024])


@pytest.mark.django_db
def test_refresh_stores_decomposition_and_hour_weekday_matrix(role_users, areas):
    for index in range(24):
        incidents(10 + (10 if index % 12 == 6 else 0), occurred_at=local(2022 + index // 12, index % 12 + 1))
    incidents(3, occurred_at=local(2024, 1, 6, 22, 15), time_precision="minute")  # a Saturday, 22:00
    analytics_refresh(full=True)
    stored = set(SeasonalDecomposition.objects.values_list("area_code", "category"))
    assert {(WESTMINSTER, ""), (WESTMINSTER, "burglary"), ("met", ""), ("met", "burglary")} <= stored
    decomposition = selectors.seasonal_decomposition(user=role_users["analyst"], area_code=WESTMINSTER)
    assert len(decomposition["x"]) == len(decomposition["seasonal"]) == 25
    matrix = selectors.hour_weekday_matrix(user=role_users["analyst"], filters=AnalyticsFilters())
    assert matrix["z"][5][22] == 3 and matrix["total"] == 3


@pytest.mark.django_db
def test_yoy_change_in_monthly_series(role_users, areas):
    incidents(10, occurred_at=local(2023, 3))
    incidents(15, occurred_at=local(2024, 3))
    analytics_refresh(full=True)
    yoy = selectors.monthly_series(user=role_users["analyst"], filters=AnalyticsFilters())["yoy"]
    assert yoy[-1] == {"month": "2024-03-01", "count": 15, "previous": 10, "change_pct": 50.0}


@pytest.mark.django_db
def test_context_series_load_from_csv_and_show_against_demand(tmp_path, role_users, areas):
    incidents(6, occurred_at=local(2024, 1, 2, 10), time_precision="minute", kind="call")
    analytics_refresh(full=True)
    path = tmp_path / "weather.csv"
    path.write_text("name,date,value,label\nrain_mm,2024-01-02,12.5,wet\nrain_mm,2024-03-01,1,\n")
    call_command("import_context", str(path))
    assert ContextSeries.objects.count() == 2
    data = selectors.context_series(user=role_users["analyst"], filters=AnalyticsFilters())
    assert data["demand"] == {"x": ["2024-01-02"], "y": [6]}
    assert data["context"] == [{"name": "rain_mm", "x": ["2024-01-02"], "y": [12.5]}]
