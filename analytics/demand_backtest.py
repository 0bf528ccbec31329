"""Rolling-origin backtests of the demand models: fit on the past, forecast the next horizon, score, move on.

MASE is scaled by the in-sample mean absolute error of the seasonal-naive one-season-ahead forecast, so the baseline
scores about 1 and any model below 1 beats it. MAPE is over periods with non-zero demand (it is undefined at 0).
"""

import numpy as np

from analytics import forecasting

FOLDS = 3
# Fewer training periods than this make every model's fit meaningless (and some fail outright).
MIN_TRAIN = 16


def mase_scale(train: np.ndarray, season: int) -> float:
    diffs = np.abs(train[season:] - train[:-season])
    return float(diffs.mean()) if len(diffs) and diffs.mean() > 0 else 1.0


def errors(*, actual: np.ndarray, predicted: np.ndarray, scale: float) -> dict[str, float]:
    absolute = np.abs(actual - predicted)
    nonzero = actual > 0
    mape = float(np.mean(absolute[nonzero] / actual[nonzero]) * 100) if nonzero.any() else float("nan")
    return {"mae": float(absolute.mean()), "mape": mape, "mase": float(absolute.mean() / scale)}


def origins(*, length: int, horizon: int, season: int, folds: int = FOLDS) -> list[int]:
    """Forecast origins, the last one leaving exactly one horizon of data; each needs two seasons behind it."""
    candidates = [length - horizon * (k + 1) for k in range(folds)][::-1]
    return [origin for origin in candidates if origin >= max(2 * season + 1, MIN_TRAIN)]


def rolling_origin(
    *, series: np.ndarray, horizon: int, season: int, models=None, folds: int = FOLDS
) -> dict[str, dict[str, float]]:
    """Mean MAE, MAPE and MASE of each model over the rolling origins of one series."""
    models = models or list(forecasting.MODELS)
    series = np.asarray(series, dtype=float)
    season = forecasting.effective_season(length=len(series) - horizon * folds, season=season, horizon=horizon)
    scores = {name: [] for name in models}
    for origin in origins(length=len(series), horizon=horizon, season=season, folds=folds):
        train, actual = series[:origin], series[origin : origin + horizon]
        scale = mase_scale(train, season)
        for name in models:
            predicted = forecasting.forecast(model=name, history=train, horizon=horizon, season=season).mean
            scores[name].append(errors(actual=actual, predicted=predicted, scale=scale))
    return {name: _mean(rows) for name, rows in scores.items() if rows}


def _mean(rows: list[dict]) -> dict[str, float]:
    return {key: _round(np.nanmean([row[key] for row in rows])) for key in ("mae", "mape", "mase")} | {
        "folds": len(rows)
    }


def _round(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def summarise(by_area: dict[str, dict[str, dict]]) -> dict:
    """Mean accuracy per model over areas, the baseline and the chosen model (lowest mean MASE)."""
    names = sorted({name for scores in by_area.values() for name in scores})
    models = {
        name: {
            key: _round(np.nanmean([_nan(s[name][key]) for s in by_area.values() if name in s]))
            for key in ("mase", "mape", "mae")
        }
        for name in names
    }
    ranked = [name for name in names if models[name]["mase"] is not None]
    chosen = min(ranked, key=lambda name: models[name]["mase"]) if ranked else forecasting.BASELINE
    return {"models": models, "baseline": forecasting.BASELINE, "chosen": chosen}


def _nan(value):
    return np.nan if value is None else value
