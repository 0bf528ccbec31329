"""Rolling-origin demand backtests: the baseline scores MASE about 1, real models beat it on seasonal demand."""

import numpy as np
import pandas as pd
import pytest

from analytics.forecasting import backtest as demand_backtest
from analytics.forecasting import demand as forecast_demand
from analytics.forecasting import methods as forecasting


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


@pytest.mark.parametrize("length", [56, 63, 100, 203, 900])
def test_validation_folds_end_before_the_test_folds_begin(length):
    validation, test = demand_backtest.split_origins(length=length, horizon=7)
    assert len(validation) >= demand_backtest.MIN_FOLDS and len(test) >= demand_backtest.MIN_FOLDS
    assert max(validation) + 7 <= min(test)  # no validation period is scored again as a test period
    assert test[-1] + 7 == length  # the last test fold ends with the data
    assert validation[0] >= 7 * demand_backtest.MIN_TRAIN_HORIZONS
    assert len(test) <= demand_backtest.TEST_FOLDS and len(validation) <= demand_backtest.VALIDATION_FOLDS


def test_a_series_shorter_than_eight_weeks_of_days_has_no_folds():
    assert demand_backtest.min_history(horizon=7) == 56
    assert demand_backtest.split_origins(length=55, horizon=7) == ([], [])


def test_the_choice_is_made_on_validation_weeks_and_the_score_on_the_test_weeks_only():
    rng = np.random.default_rng(1)
    week = np.array([50.0, 40, 45, 60, 80, 90, 70])
    # four training weeks, six validation weeks growing 5 % a week without noise (repeating last week is nearly
    # right), then six flat noisy test weeks (where an average of weeks beats repeating last week)
    growing = np.concatenate([week * 1.05**k for k in range(1, 7)])
    flat = np.tile(week * 1.05**6, 6) + rng.normal(0, 15, 42)
    series = np.concatenate([np.tile(week, 4), growing, flat])
    result = demand_backtest.series_backtest(series=series, horizon=7, season=7, report_all=True)
    assert result.validation_folds == 6 and len(result.fold_actual) == 6
    assert result.chosen == min(result.validation, key=result.validation.get)
    assert result.chosen in (forecasting.SEASONAL_NAIVE, forecasting.ETS)  # the models that follow a trend
    best_on_test = min(result.test, key=lambda name: result.test[name]["mae"])
    assert best_on_test != result.chosen  # a choice made on the test weeks would have been another model
    # the reported score is the chosen model's error on the test weeks, by hand
    test_origins = range(len(series) - 42, len(series), 7)
    predicted = {
        o: forecasting.forecast(model=result.chosen, history=series[:o], horizon=7, season=7) for o in test_origins
    }
    by_hand = [np.abs(series[o : o + 7] - predicted[o].mean).mean() for o in test_origins]
    assert result.test[result.chosen]["mae"] == pytest.approx(np.mean(by_hand), abs=1e-4)


def _result(errors: list[float], actual: list[float], chosen: str = forecasting.SEASONAL_MEAN):
    folds = {chosen: errors, forecasting.SEASONAL_NAIVE: [2 * e for e in errors]}
    return demand_backtest.SeriesBacktest(
        chosen=chosen, validation={}, test={}, fold_errors=folds, fold_actual=actual, validation_folds=2
    )


def test_areas_are_weighted_by_volume_not_averaged():
    small = _result([1.0, 1.0], [10.0, 10.0])  # 10 % error on 20 calls
    large = _result([30.0], [100.0])  # 30 % error on 100 calls
    pooled = demand_backtest.volume_weighted({"small": small, "large": large})
    assert pooled["wape"] == round(32 / 120, 4)  # not (0.1 + 0.3) / 2
    assert pooled["baseline_wape"] == round(64 / 120, 4)
    assert pooled["wape_spread"]["median"] == pytest.approx(0.2)
    assert pooled["chosen"] == {forecasting.SEASONAL_MEAN: 2}


def test_chosen_model_beats_the_seasonal_naive_baseline_on_seasonal_calls():
    results = {
        area: demand_backtest.series_backtest(
            series=_daily_calls(160, seed), horizon=7, season=7, report_all=area == "force"
        )
        for seed, area in enumerate(["force", "north", "south"])
    }
    summary = demand_backtest.summarise(results, headline="force")
    assert summary["baseline"] == forecasting.SEASONAL_NAIVE
    assert summary["chosen"] != forecasting.SEASONAL_NAIVE
    assert summary["models"][summary["chosen"]]["mase"] < 1
    assert set(summary["models"]) == set(forecasting.MODELS)
    headline = summary["headline"]
    assert headline["model"] == summary["chosen"] and headline["mae_cut"] > 0
    assert headline["mae_cut_interval"][0] <= headline["mae_cut"] <= headline["mae_cut_interval"][1]
    assert 0.7 <= headline["coverage"] <= 1
    assert summary["areas"]["series"] == 2 and summary["areas"]["wape"] < summary["areas"]["baseline_wape"]
    assert summary["mase_note"] == "MASE below 1 = better than repeating last week's value."


def test_a_source_that_stopped_long_before_another_began_is_left_out_of_the_series():
    old = pd.date_range("2019-01-01", "2019-06-30 23:00", freq="h")
    new = pd.date_range("2026-08-01", "2026-11-30 23:00", freq="h")
    frame = pd.DataFrame(
        {
            "occurred_at": old.append(new),
            "borough_id": ["baltimore-district"] * len(old) + ["cad-beat"] * len(new),
        }
    )
    series = forecast_demand.area_series(frame=frame, granularity="day")
    assert set(series) == {"force", "cad-beat"}  # the old source's area has nothing in the stretch
    assert series["force"].index[0] == pd.Timestamp("2026-08-01")
    assert series["force"].min() == 24
