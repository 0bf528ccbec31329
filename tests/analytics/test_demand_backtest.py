"""Rolling-origin demand backtests: the baseline scores MASE about 1, real models beat it on seasonal demand."""

import numpy as np

from analytics import demand_backtest, forecasting


def _daily_calls(days: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    weekly = np.array([1.0, 0.95, 0.95, 1.0, 1.15, 1.35, 1.25])[t % 7]
    return rng.poisson(60 * weekly * (1 + 0.1 * np.sin(2 * np.pi * t / 365))).astype(float)


def test_mase_of_a_perfect_forecast_is_zero_and_of_the_scale_is_one():
    actual = np.array([3.0, 5, 0, 4])
    assert demand_backtest.errors(actual=actual, predicted=actual, scale=2.0)["mase"] == 0
    scores = demand_backtest.errors(actual=actual, predicted=actual + 2, scale=2.0)
    assert scores["mase"] == 1.0
    assert scores["mape"] == np.mean([2 / 3, 2 / 5, 2 / 4]) * 100  # zero-demand periods are left out of MAPE


def test_origins_only_use_the_past_and_leave_a_full_horizon():
    assert demand_backtest.origins(length=100, horizon=7, season=7, folds=3) == [79, 86, 93]


def test_chosen_model_beats_the_seasonal_naive_baseline_on_seasonal_calls():
    by_area = {
        area: demand_backtest.rolling_origin(series=_daily_calls(300, seed), horizon=7, season=7)
        for seed, area in enumerate(["north", "south"])
    }
    summary = demand_backtest.summarise(by_area)
    assert summary["baseline"] == forecasting.SEASONAL_NAIVE
    assert summary["chosen"] != forecasting.SEASONAL_NAIVE
    assert summary["models"][summary["chosen"]]["mase"] < 1
    assert set(summary["models"]) == set(forecasting.MODELS)
