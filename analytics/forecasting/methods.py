"""Demand forecasting models on a regular count series, each returning a mean and a prediction interval.

A model is a function (history, horizon, season, level) -> Forecast. The seasonal-naive model is the baseline every
other one must beat (MASE < 1); the backtest in analytics.forecasting.backtest decides which is used.
"""

import warnings
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

SEASONAL_NAIVE, SEASONAL_MEAN, ETS, GBM = "seasonal-naive", "seasonal-mean", "holt-winters", "gradient-boosting"
SEASONAL_MEAN_LONG, SEASONAL_MEDIAN = "seasonal-mean-8", "seasonal-median-8"
BASELINE = SEASONAL_NAIVE
# Models fitted by an optimiser: slow, so the backtest tries them only on series with enough volume to reward them.
FITTED = (ETS, GBM)
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


def _interval(mean: np.ndarray, errors: np.ndarray, level: float | None) -> Forecast:
    """Interval from the empirical quantiles of past forecast errors of the same kind, floored at zero."""
    if level is None:
        return Forecast(mean, mean, mean)
    errors = errors[np.isfinite(errors)]
    if len(errors) < 5:
        spread = stats.norm.ppf(0.5 + level / 2) * np.sqrt(np.maximum(mean, 1.0))
        return Forecast(mean, np.maximum(mean - spread, 0), mean + spread)
    low, high = np.quantile(errors, [(1 - level) / 2, (1 + level) / 2])
    return Forecast(mean, np.maximum(mean + low, 0), np.maximum(mean + high, 0))


def _repeat_season(last_season: np.ndarray, horizon: int) -> np.ndarray:
    return np.resize(last_season, horizon)


def seasonal_naive(history: np.ndarray, horizon: int, season: int, level: float | None = LEVEL) -> Forecast:
    """Each step repeats the value one season before."""
    mean = _repeat_season(history[-season:], horizon).astype(float)
    return _interval(mean, history[season:] - history[:-season], level)


def _same_position(history: np.ndarray, season: int, seasons: int, reducer) -> tuple[np.ndarray, np.ndarray]:
    """Each step is the mean (or median) of the same position over the last few seasons; the interval comes from
    the errors this rule made on each earlier season from the seasons before it (out of sample)."""
    blocks = history[len(history) % season :].reshape(-1, season)
    k = max(1, min(seasons, len(blocks) - 1))
    windows = np.lib.stride_tricks.sliding_window_view(blocks, k, axis=0)[:-1]
    past_errors = (blocks[k:] - reducer(windows, axis=-1)).ravel()
    return reducer(blocks[-min(seasons, len(blocks)) :], axis=0), past_errors


def seasonal_mean(
    history: np.ndarray, horizon: int, season: int, level: float | None = LEVEL, seasons: int = 4
) -> Forecast:
    """Each step is the mean of the same position over the last few seasons (robust to one odd week)."""
    profile, past_errors = _same_position(history, season, seasons, np.mean)
    return _interval(_repeat_season(profile, horizon), past_errors, level)


def seasonal_median(
    history: np.ndarray, horizon: int, season: int, level: float | None = LEVEL, seasons: int = 8
) -> Forecast:
    """The median of the same position over the last seasons: a storm or a festival day does not move it."""
    profile, past_errors = _same_position(history, season, seasons, np.median)
    return _interval(_repeat_season(profile, horizon), past_errors, level)


def holt_winters(history: np.ndarray, horizon: int, season: int, level: float | None = LEVEL) -> Forecast:
    """Additive Holt-Winters (ETS A,Ad,A) from statsmodels, on log1p counts so the interval widens with the level."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    y = np.log1p(history.astype(float))
    seasonal = "add" if season > 1 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(
            y, trend="add", damped_trend=True, seasonal=seasonal, seasonal_periods=season if seasonal else None
        ).fit(use_brute=False)  # the brute-force start grid costs a third of the time and changed nothing measured
    log_mean = fit.forecast(horizon)
    if level is None:
        return _interval(np.expm1(log_mean), np.array([]), level)
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


def gradient_boosting(history: np.ndarray, horizon: int, season: int, level: float | None = LEVEL) -> Forecast:
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
        if level is None:
            return _interval(mean, np.array([]), level)
        lower = fitted(loss="quantile", quantile=(1 - level) / 2)
        upper = fitted(loss="quantile", quantile=(1 + level) / 2)
    return Forecast(mean, np.maximum(np.minimum(lower, mean), 0), np.maximum(upper, mean))


MODELS = {
    SEASONAL_NAIVE: seasonal_naive,
    SEASONAL_MEAN: seasonal_mean,
    SEASONAL_MEAN_LONG: partial(seasonal_mean, seasons=8),
    SEASONAL_MEDIAN: seasonal_median,
    ETS: holt_winters,
    GBM: gradient_boosting,
}


def forecast(
    *, model: str, history: np.ndarray, horizon: int, season: int, level: float | None = LEVEL, extra=None
) -> Forecast:
    """The model's mean forecast with its interval at `level`; level None skips the interval (lower = upper = mean),
    for backtest folds that score only the mean. `extra` adds a series' own models ({name: function}, such as the
    context regression, which carries that series' context columns)."""
    history = np.asarray(history, dtype=float)
    if not history.any():
        # an area with no demand at all (a source that stopped, a new beat): nothing to fit, zero is exact
        zeros = np.zeros(horizon)
        return Forecast(zeros, zeros, zeros)
    return {**MODELS, **(extra or {})}[model](history, horizon, season, level)


def regular_series(*, timestamps: pd.Series, granularity: str, start=None, end=None) -> pd.Series:
    """Counts per period (zeros included) of a column of tz-aware timestamps, from start to end (inclusive)."""
    periods = pd.DatetimeIndex(timestamps).tz_localize(None).to_period(PERIOD_FREQ[granularity]).start_time
    counts = pd.Series(1, index=periods).groupby(level=0).sum()
    full = pd.date_range(start or counts.index.min(), end or counts.index.max(), freq=RANGE_FREQ[granularity])
    return counts.reindex(full, fill_value=0).astype(float)
