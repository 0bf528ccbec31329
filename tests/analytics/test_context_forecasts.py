"""Context in demand forecasts: a real effect is recovered and earns its place on the validation weeks; noise does
not; the effects are stored with the backtest that measured them."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone

from analytics.forecasting import backtest as demand_backtest
from analytics.forecasting import context as forecast_context
from analytics.forecasting import demand as forecast_demand
from analytics.models import ContextEffect, ContextSeries, DemandForecast
from analytics.refresh import analytics_refresh
from ingestion.models import Incident
from tests.analytics.factories import WESTMINSTER, IncidentFactory

DAYS, HORIZON = 420, 7
WEEKLY = np.array([1.0, 0.95, 0.95, 1.0, 1.15, 1.35, 1.25])


def _event_days(days: int, seed: int) -> np.ndarray:
    return (np.random.default_rng(seed).random(days) < 0.12).astype(float)


def _calls(events: np.ndarray, *, mean: float = 80.0, lift: float = 0.3, seed: int = 0) -> np.ndarray:
    """Daily calls with a weekly cycle and `lift` more calls on event days."""
    t = np.arange(len(events))
    return np.random.default_rng(seed).poisson(mean * WEEKLY[t % 7] * (1 + lift * events)).astype(float)


def _context(values: np.ndarray, *factors: forecast_context.Factor) -> forecast_context.SeriesContext:
    dates = pd.date_range("2023-01-02", periods=len(values) + HORIZON, freq="D")  # a Monday
    return forecast_context.series_context(
        values=values, factors=list(factors), base=forecast_context.base_design(dates), horizon=HORIZON
    )


def test_a_thirty_per_cent_event_effect_is_recovered_kept_and_chosen_on_the_validation_weeks():
    events = _event_days(DAYS + HORIZON, seed=1)
    values = _calls(events[:DAYS])
    context = _context(values, forecast_context.Factor("event", events, True, "test"))
    assert context.kept == ["event"]
    assert context.validation_mae["event"] < context.validation_mae[""] * 0.9
    effect = forecast_context.factor_effects(values=values, context=context)["event"]
    assert effect["effect_low"] < 0.3 < effect["effect_high"]
    assert effect["effect"] == pytest.approx(0.3, abs=0.05)
    result = demand_backtest.series_backtest(series=values, horizon=HORIZON, season=7, extra=context.models())
    assert result.chosen == forecast_context.CONTEXT
    # the choice came from the validation weeks: its score there is the lowest of all candidates
    assert result.validation[forecast_context.CONTEXT] == min(result.validation.values())
    assert result.test[forecast_context.CONTEXT]["mae"] < result.test[demand_backtest.forecasting.BASELINE]["mae"]


@pytest.mark.parametrize("indicator", [True, False])
def test_a_factor_of_noise_is_not_kept_so_the_context_model_is_not_a_candidate(indicator):
    rng = np.random.default_rng(5)
    noise = _event_days(DAYS + HORIZON, seed=9) if indicator else rng.normal(10, 3, DAYS + HORIZON)
    values = _calls(np.zeros(DAYS), seed=3)
    context = _context(values, forecast_context.Factor("noise", noise, indicator, "test"))
    assert context.kept == [] and context.models() == {}
    assert "noise" in context.validation_mae  # it was tried on the validation weeks, and lost
    effect = forecast_context.factor_effects(values=values, context=context)["noise"]
    assert effect["effect_low"] < 0 < effect["effect_high"]  # measured, and indistinguishable from none
    result = demand_backtest.series_backtest(series=values, horizon=HORIZON, season=7, extra=context.models())
    assert forecast_context.CONTEXT not in result.validation


def test_context_model_forecasts_the_future_days_from_their_own_context():
    events = np.zeros(DAYS + HORIZON)
    events[::10] = 1
    values = _calls(events[:DAYS], lift=0.5)
    context = _context(values, forecast_context.Factor("event", events, True, "test"))
    result = demand_backtest.forecasting.forecast(
        model=forecast_context.CONTEXT, history=values, horizon=HORIZON, season=7, extra=context.models()
    )
    event_day = int(np.flatnonzero(events[DAYS:])[0])
    same_weekday_last_week = values[DAYS + event_day - 7]
    assert result.mean[event_day] > 1.3 * same_weekday_last_week
    assert (result.lower <= result.mean).all() and (result.mean <= result.upper).all()


def _stored_calls(per_day: np.ndarray, start: dt.date) -> None:
    rows = [
        IncidentFactory.build(
            source="cad",
            kind=Incident.Kind.CALL,
            category="disorder",
            occurred_at=timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=day), dt.time(12))),
            time_precision=Incident.Precision.MINUTE,
            borough_id=WESTMINSTER,
            lsoa_id=None,
        )
        for day, count in enumerate(per_day.astype(int))
        for _ in range(count)
    ]
    Incident.objects.bulk_create(rows, batch_size=5000)


@pytest.mark.django_db
def test_the_weekly_chain_stores_each_factors_effect_and_forecasts_with_the_kept_ones(areas):
    days, start = 240, dt.date(2024, 1, 1)
    events = _event_days(days + HORIZON, seed=2)
    _stored_calls(_calls(events[:days], mean=40, seed=4), start)
    ContextSeries.objects.bulk_create(
        ContextSeries(name="event", date=start + dt.timedelta(days=int(day)), value=1.0, label="match")
        for day in np.flatnonzero(events)
    )
    backtest = forecast_demand.demand_forecasts_refresh(granularity="day")
    stored = {(row.area_code, row.factor): row for row in ContextEffect.objects.filter(backtest=backtest)}
    event = stored[("force", "event")]
    assert event.improved and event.used and event.indicator
    assert event.effect_low < 0.3 < event.effect_high
    assert event.days_on == int(events[: event.days].sum()) and event.mean_on > event.mean_off
    assert event.source == "import_context series 'event'"
    assert stored[("force", "bank_holiday")].source.startswith("public holidays of GB")
    assert backtest.scores.get(area_code="force", chosen=True).model == forecast_context.CONTEXT
    assert DemandForecast.objects.get(area_code="force", granularity="day").model == forecast_context.CONTEXT


@pytest.mark.django_db
def test_hourly_and_weekly_backtests_take_no_context(areas):
    assert forecast_context.demand_context(series={"force": pd.Series([1.0])}, granularity="hour", kind="call") is None


def test_two_real_factors_are_kept_together_when_together_they_beat_each_alone():
    events = _event_days(DAYS + HORIZON, seed=1)
    rain = np.where(np.random.default_rng(4).random(DAYS + HORIZON) < 0.4, 15.0, 0.0)
    wet = (rain[:DAYS] > 0).astype(float)
    values = _calls(events[:DAYS] - 0.8 * wet)  # lift 0.3 x (event - 0.8 wet): +30 % on event days, -24 % on wet
    context = _context(
        values,
        forecast_context.Factor("event", events, True, "test"),
        forecast_context.Factor("rain_mm", rain, False, "test"),
    )
    assert context.kept == ["event", "rain_mm"]
    together = context.validation_mae[forecast_context.KEPT]
    assert together < min(context.validation_mae["event"], context.validation_mae["rain_mm"])


@pytest.mark.django_db
def test_bank_holidays_follow_the_zone_of_the_newest_calls_source(areas):
    _stored_calls(np.full(3, 2.0), dt.date(2024, 7, 1))
    assert forecast_context.series_zone(kind="call") == "Europe/London"  # before any rollup: the newest call
    analytics_refresh(full=True)
    assert forecast_context.series_zone(kind="call") == "Europe/London"
    dates = pd.date_range("2024-07-01", "2024-07-07", freq="D")
    us = forecast_context.demand_factors(dates=dates, area_code="force", zone="America/New_York")[0]
    gb = forecast_context.demand_factors(dates=dates, area_code="force", zone="Europe/London")[0]
    assert us.values[3] == 1 and not gb.values.any()  # the 4th of July is a holiday in Baltimore only
    assert us.source == "public holidays of US (holidays package)"
