"""Demand backtests that choose before they score: fit on the past, forecast the next horizon, move on.

The last horizons of a series are its test folds (they report); the horizons just before them are its validation
folds (they choose each series' model). A choice never sees the periods it is scored on.

MASE is scaled by the in-sample mean absolute error of the seasonal-naive one-season-ahead forecast, so the baseline
scores about 1 and any model below 1 beats it. MAPE is over periods with non-zero demand (it is undefined at 0).
The headline is the force's series and, over areas, volume-weighted: sum of absolute errors / sum of actual demand.
"""

from collections import Counter
from dataclasses import dataclass

import numpy as np

from analytics.forecasting import methods as forecasting

VALIDATION_FOLDS, TEST_FOLDS = 6, 8
# Fewest folds of each kind, and training horizons before the first fold, for a backtest to mean anything.
MIN_FOLDS, MIN_TRAIN_HORIZONS = 2, 4
# Fitted models (Holt-Winters, gradient boosting) are tried only where a series averages this many per period:
# below it they rarely beat seasonal averages and they cost nearly all the time.
FITTED_MIN_MEAN = 20.0
BOOTSTRAP_DRAWS = 2000
SEASON_WORDS = {"hour": "the same hour last week", "day": "last week's value", "week": "the same week last year"}


@dataclass(frozen=True)
class SeriesBacktest:
    """One series: the model its validation folds chose and every reported model's test-fold results."""

    chosen: str
    validation: dict[str, float]  # mean MASE over validation folds, per candidate
    test: dict[str, dict]  # per reported model: mae, mape, mase, coverage, folds
    fold_errors: dict[str, list[float]]  # per reported model: sum of absolute errors in each test fold
    fold_actual: list[float]  # sum of actual demand in each test fold
    validation_folds: int


def min_history(*, horizon: int) -> int:
    """Periods a series needs: training horizons plus the fewest validation and test folds."""
    return horizon * (MIN_TRAIN_HORIZONS + 2 * MIN_FOLDS)


def split_origins(*, length: int, horizon: int) -> tuple[list[int], list[int]]:
    """Validation origins, then test origins after them, one horizon apart: ([], []) when the series is too short.
    Test folds take up to half the horizons available after the training ones."""
    available = length // horizon - MIN_TRAIN_HORIZONS
    if available < 2 * MIN_FOLDS:
        return [], []
    tests = min(TEST_FOLDS, available // 2)
    validations = min(VALIDATION_FOLDS, available - tests)
    origins = [length - horizon * (k + 1) for k in range(validations + tests)][::-1]
    return origins[:validations], origins[validations:]


def mase_scale(train: np.ndarray, season: int) -> float:
    diffs = np.abs(train[season:] - train[:-season])
    return float(diffs.mean()) if len(diffs) and diffs.mean() > 0 else 1.0


def errors(*, actual: np.ndarray, predicted: np.ndarray, scale: float) -> dict[str, float]:
    absolute = np.abs(actual - predicted)
    nonzero = actual > 0
    mape = float(np.mean(absolute[nonzero] / actual[nonzero]) * 100) if nonzero.any() else float("nan")
    return {"mae": float(absolute.mean()), "mape": mape, "mase": float(absolute.mean() / scale)}


def candidates(series: np.ndarray) -> list[str]:
    """Every model, less the fitted ones on a series too thin to reward them."""
    heavy = float(np.mean(series)) >= FITTED_MIN_MEAN
    return [name for name in forecasting.MODELS if heavy or name not in forecasting.FITTED]


def _fold(
    name: str, series: np.ndarray, origin: int, horizon: int, season: int, level=forecasting.LEVEL, extra=None
) -> dict:
    train, actual = series[:origin], series[origin : origin + horizon]
    result = forecasting.forecast(model=name, history=train, horizon=horizon, season=season, level=level, extra=extra)
    scores = errors(actual=actual, predicted=result.mean, scale=mase_scale(train, season))
    covered = (actual >= result.lower) & (actual <= result.upper)
    return scores | {"abs": float(np.abs(actual - result.mean).sum()), "covered": float(covered.mean())}


def series_backtest(
    *, series: np.ndarray, horizon: int, season: int, report_all: bool = False, extra: dict | None = None
) -> SeriesBacktest | None:
    """Choose a model on the validation folds (lowest mean MASE), then score it and the baseline on the test folds
    (every candidate with report_all); None when the series is too short for both kinds of fold. `extra` adds the
    series' own candidates ({name: function}), chosen or not on the same validation folds."""
    series = np.asarray(series, dtype=float)
    validation, test = split_origins(length=len(series), horizon=horizon)
    if not test:
        return None
    season = forecasting.effective_season(length=validation[0], season=season, horizon=horizon)
    names = candidates(series[: validation[0]]) + sorted(extra or {})
    chosen_by = {
        name: _mean_mase([_fold(name, series, o, horizon, season, None, extra) for o in validation]) for name in names
    }
    chosen = min(names, key=lambda name: (chosen_by[name], name != forecasting.BASELINE))
    reported = names if report_all else sorted({chosen, forecasting.BASELINE})
    folds = {
        name: [_fold(name, series, o, horizon, season, forecasting.LEVEL, extra) for o in test] for name in reported
    }
    return SeriesBacktest(
        chosen=chosen,
        validation={name: _round(value) for name, value in chosen_by.items()},
        test={name: _mean(rows) for name, rows in folds.items()},
        fold_errors={name: [row["abs"] for row in rows] for name, rows in folds.items()},
        fold_actual=[float(series[o : o + horizon].sum()) for o in test],
        validation_folds=len(validation),
    )


def _mean_mase(rows: list[dict]) -> float:
    return float(np.mean([row["mase"] for row in rows]))


def _mean(rows: list[dict]) -> dict[str, float]:
    keys = ("mae", "mape", "mase")
    return {key: _round(np.nanmean([row[key] for row in rows])) for key in keys} | {
        "coverage": _round(np.mean([row["covered"] for row in rows])),
        "folds": len(rows),
    }


def _round(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def bootstrap_cut(*, chosen: list[float], baseline: list[float], level: float = forecasting.LEVEL) -> list[float]:
    """Interval of 1 - chosen error / baseline error, resampling whole test folds (fixed seed: reproducible)."""
    chosen, baseline = np.asarray(chosen), np.asarray(baseline)
    draws = np.random.default_rng(0).integers(len(chosen), size=(BOOTSTRAP_DRAWS, len(chosen)))
    totals = baseline[draws].sum(axis=1)
    cuts = 1 - chosen[draws].sum(axis=1) / np.where(totals > 0, totals, np.nan)
    low, high = np.nanquantile(cuts, [(1 - level) / 2, (1 + level) / 2])
    return [_round(low), _round(high)]


def summarise(results: dict[str, SeriesBacktest], *, headline: str, granularity: str = "day") -> dict:
    """The headline series' test scores per model (`models`), its chosen model with the cut in MAE against the
    baseline and a bootstrap interval, and the other series volume-weighted with their spread."""
    top = results[headline]
    baseline = forecasting.BASELINE
    areas = {code: result for code, result in results.items() if code != headline}
    return {
        "models": {name: _public(scores) for name, scores in top.test.items()},
        "baseline": baseline,
        "chosen": top.chosen,
        "chosen_by": "lowest mean MASE on the validation folds",
        "folds": {"validation": top.validation_folds, "test": len(top.fold_actual)},
        "headline": {
            "series": headline,
            "model": top.chosen,
            **_public(top.test[top.chosen]),
            "coverage": top.test[top.chosen]["coverage"],
            "interval_level": forecasting.LEVEL,
            "baseline_mae": top.test[baseline]["mae"],
            "mae_cut": _round(1 - _ratio(top.fold_errors[top.chosen], top.fold_errors[baseline])),
            "mae_cut_interval": bootstrap_cut(chosen=top.fold_errors[top.chosen], baseline=top.fold_errors[baseline]),
        },
        "areas": volume_weighted(areas),
        "mase_note": f"MASE below 1 = better than repeating {SEASON_WORDS[granularity]}.",
    }


def _public(scores: dict) -> dict:
    return {key: scores[key] for key in ("mase", "mape", "mae")}


def _ratio(errors_: list[float], baseline: list[float]) -> float:
    total = sum(baseline)
    return sum(errors_) / total if total else 1.0


def volume_weighted(results: dict[str, SeriesBacktest]) -> dict:
    """Areas pooled by volume (sum |error| / sum actual over every area and test fold) for each area's chosen model
    and for the baseline, the spread of the areas' own figures (10th, 50th, 90th percentile), and how many areas
    chose each model."""
    actual = sum(sum(result.fold_actual) for result in results.values())
    if not actual:
        return {"series": len(results)}
    own = [_ratio(r.fold_errors[r.chosen], r.fold_actual) for r in results.values() if sum(r.fold_actual)]
    spread = [_round(q) for q in np.quantile(own, [0.1, 0.5, 0.9])]
    return {
        "series": len(results),
        "wape": _round(sum(sum(r.fold_errors[r.chosen]) for r in results.values()) / actual),
        "baseline_wape": _round(sum(sum(r.fold_errors[forecasting.BASELINE]) for r in results.values()) / actual),
        "wape_spread": {"p10": spread[0], "median": spread[1], "p90": spread[2]},
        "chosen": dict(sorted(Counter(r.chosen for r in results.values()).items())),
    }
