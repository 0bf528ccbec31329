"""Demand models on synthetic series with known seasonality: forecasts stay inside their intervals."""

import numpy as np
import pandas as pd
import pytest

from analytics.forecasting import methods as forecasting


def _seasonal_counts(n: int, season: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return rng.poisson(20 + 10 * np.sin(2 * np.pi * t / season)).astype(float)


@pytest.mark.parametrize("model", list(forecasting.MODELS))
def test_a_known_seasonal_series_is_forecast_within_its_interval(model):
    series = _seasonal_counts(7 * 30 + 14, season=7)
    history, future = series[:-14], series[-14:]
    result = forecasting.forecast(model=model, history=history, horizon=14, season=7)
    inside = (future >= result.lower) & (future <= result.upper)
    assert inside.mean() >= 0.75
    assert (result.lower <= result.mean).all() and (result.mean <= result.upper).all()


@pytest.mark.parametrize("model", [forecasting.ETS, forecasting.GBM])
def test_real_models_follow_the_seasonal_shape(model):
    series = _seasonal_counts(7 * 30, season=7)
    expected = 20 + 10 * np.sin(2 * np.pi * np.arange(210, 217) / 7)
    result = forecasting.forecast(model=model, history=series, horizon=7, season=7)
    assert np.corrcoef(result.mean, expected)[0, 1] > 0.9


def test_seasonal_naive_repeats_the_last_season():
    history = np.array([1.0, 2, 3, 4, 5, 6, 7] * 3)
    result = forecasting.seasonal_naive(history, 10, 7)
    assert result.mean.tolist() == [1, 2, 3, 4, 5, 6, 7, 1, 2, 3]


def test_short_histories_drop_the_season():
    assert forecasting.effective_season(length=60, season=52, horizon=4) == 1
    assert forecasting.effective_season(length=120, season=52, horizon=4) == 52


def test_regular_series_fills_empty_periods_with_zero():
    stamps = pd.Series(pd.to_datetime(["2024-01-01 10:05", "2024-01-01 10:40", "2024-01-03 09:00"], utc=True))
    daily = forecasting.regular_series(timestamps=stamps, granularity="day")
    assert daily.tolist() == [2, 0, 1]
    weekly = forecasting.regular_series(timestamps=stamps, granularity="week")
    assert weekly.index[0] == pd.Timestamp("2024-01-01")  # weeks start on Monday


def test_gradient_boosting_copes_with_lags_longer_than_the_history():
    # 118 weeks with a 52-week season: the three-season lag is missing everywhere
    history = _seasonal_counts(118, season=52)
    result = forecasting.gradient_boosting(history, 4, 52)
    assert np.isfinite(result.mean).all() and len(result.mean) == 4


@pytest.mark.parametrize("model", sorted(forecasting.MODELS))
def test_an_area_with_no_demand_forecasts_zero_with_every_model(model):
    result = forecasting.forecast(model=model, history=np.zeros(60), horizon=7, season=7)
    assert result.mean.tolist() == [0.0] * 7
    assert result.upper.tolist() == [0.0] * 7
