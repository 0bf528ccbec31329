"""Demand forecasting models on a regular count series, each returning a mean and a prediction interval.

A model is a function (history, horizon, season, level) -> Forecast. The seasonal-naive model is the baseline every
other one must beat (MASE < 1); the backtest in analytics.demand_backtest decides which is used.
"""

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

SEASONAL_NAIVE, SEASONAL_MEAN, ETS, GBM = "seasonal-naive", "seasonal-mean", "holt-winters", "gradient-boosting"
BASELINE = SEASONAL_NAIVE
# Periods per season and steps ahead for each granularity (one week of hours, one week of days, four weeks).
SEASON = {"hour": 168, "day": 7, "week": 52}
HORIZON = {"hour": 168, "day": 7, "week": 4}
# How much history a model is fitted on: enough seasons to learn from, little enough to stay fast in a weekly task.
HISTORY = {"hour": 168 * 8, "day": 7 * 104, "week": 52 * 5}
# Periods are labelled by their start; weeks run Monday to Sunday.
PERIOD_FREQ = {"hour": "h", "day": "D", "week": "W-SUN"}
RANGE_FREQ = {"hour": "h", "day": "D", "week": "W-MON"}
LEVEL = 0.9


@dataclass(frozen=True)
class Forecast:
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def effective_season(*, length: int, season: int, horizon: int) -> int:
    """The season if the history holds two of them plus a horizon, otherwise 1 (no seasonality)."""
    return season if length >= 2 * season + horizon else 1


def _interval(mean: np.ndarray, errors: np.ndarray, level: float) -> Forecast:
    """Interval from the empirical quantiles of past forecast errors of the same kind, floored at zero."""
    errors = errors[np.isfinite(errors)]
    if len(errors) < 5:
        spread = stats.norm.ppf(0.5 + level / 2) * np.sqrt(np.maximum(mean, 1.0))
        return Forecast(mean, np.maximum(mean - spread, 0), mean + spread)
    low, high = np.quantile(errors, [(1 - level) / 2, (1 + level) / 2])
    return Forecast(mean, np.maximum(mean + low, 0), np.maximum(mean + high, 0))


def _repeat_season(last_season: np.ndarray, horizon: int) -> np.ndarray:
    return np.resize(last_season, horizon)


def seasonal_naive(history: np.ndarray, horizon: int, season: int, level: float = LEVEL) -> Forecast:
    """Each step repeats the value one season before."""
    mean = _repeat_season(history[-season:], horizon).astype(float)
    return _interval(mean, history[season:] - history[:-season], level)


def seasonal_mean(history: np.ndarray, horizon: int, season: int, level: float = LEVEL, seasons: int = 4) -> Forecast:
    """Each step is the mean of the same position over the last few seasons (robust to one odd week)."""
    k = max(1, min(seasons, len(history) // season))
    profile = history[-k * season :].reshape(k, season).mean(axis=0)
    fitted = pd.Series(history).rolling(k * season).mean().to_numpy()
    return _interval(_repeat_season(profile, horizon), history - fitted, level)


def holt_winters(history: np.ndarray, horizon: int, season: int, level: float = LEVEL) -> Forecast:
    """Additive Holt-Winters (ETS A,Ad,A) from statsmodels, on log1p counts so the interval widens with the level."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = np.log1p(history.astype(float))
    seasonal = "add" if season > 1 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(
            y, trend="add", damped_trend=True, seasonal=seasonal, seasonal_periods=season if seasonal else None
        ).fit()
    log_mean = fit.forecast(horizon)
    residuals = y - fit.fittedvalues
    low, high = np.quantile(residuals, [(1 - level) / 2, (1 + level) / 2])
    return Forecast(np.expm1(log_mean), np.maximum(np.expm1(log_mean + low), 0), np.expm1(log_mean + high))


def _features(index: np.ndarray, values: np.ndarray, season: int, horizon: int) -> np.ndarray:
    """Calendar position in the season, trend, and same-position values from whole seasons that are already known."""
    lag_seasons = -(-horizon // season)  # the smallest lag in whole seasons that every horizon step can see
    lags = [season * (lag_seasons + k) for k in range(3)]
    columns = [index % season, index]
    columns += [np.where(index - lag >= 0, values[np.clip(index - lag, 0, None)], np.nan) for lag in lags]
    return np.column_stack(columns).astype(float)


def gradient_boosting(history: np.ndarray, horizon: int, season: int, level: float = LEVEL) -> Forecast:
    """HistGradientBoosting (Poisson loss) on calendar and seasonal-lag features; quantile models give the interval."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    n = len(history)
    future = np.arange(n, n + horizon)
    extended = np.concatenate([history.astype(float), np.full(horizon, np.nan)])
    x_train = _features(np.arange(n), extended, season, horizon)
    # a lag longer than the history is all missing, a season of 1 has one position: such columns cannot be binned
    informative = np.array([len(np.unique(column[~np.isnan(column)])) > 1 for column in x_train.T])
    x_train, x_future = x_train[:, informative], _features(future, extended, season, horizon)[:, informative]
    # the position in the season is a category (hour of week, weekday) when it fits HistGradientBoosting's bins
    categorical = [0] if informative[0] and season <= 255 else None
    common = {"max_iter": 100, "learning_rate": 0.08, "max_leaf_nodes": 15, "categorical_features": categorical}

    def fitted(**loss):
        return HistGradientBoostingRegressor(random_state=0, **common, **loss).fit(x_train, history).predict(x_future)

    # one thread: small fits oversubscribe OpenMP badly on a shared 2-core machine (20x slower measured)
    with threadpool_limits(1):
        mean = fitted(loss="poisson")
        lower = fitted(loss="quantile", quantile=(1 - level) / 2)
        upper = fitted(loss="quantile", quantile=(1 + level) / 2)
    return Forecast(mean, np.maximum(np.minimum(lower, mean), 0), np.maximum(upper, mean))


MODELS = {
    SEASONAL_NAIVE: seasonal_naive,
    SEASONAL_MEAN: seasonal_mean,
    ETS: holt_winters,
    GBM: gradient_boosting,
}


def forecast(*, model: str, history: np.ndarray, horizon: int, season: int, level: float = LEVEL) -> Forecast:
    history = np.asarray(history, dtype=float)
    if not history.any():
        # an area with no demand at all (a source that stopped, a new beat): nothing to fit, zero is exact
        zeros = np.zeros(horizon)
        return Forecast(zeros, zeros, zeros)
    return MODELS[model](history, horizon, season, level)


def regular_series(*, timestamps: pd.Series, granularity: str, start=None, end=None) -> pd.Series:
    """Counts per period (zeros included) of a column of tz-aware timestamps, from start to end (inclusive)."""
    periods = pd.DatetimeIndex(timestamps).tz_localize(None).to_period(PERIOD_FREQ[granularity]).start_time
    counts = pd.Series(1, index=periods).groupby(level=0).sum()
    full = pd.date_range(start or counts.index.min(), end or counts.index.max(), freq=RANGE_FREQ[granularity])
    return counts.reindex(full, fill_value=0).astype(float)
