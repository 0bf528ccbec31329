"""Honest hotspot forecast backtests: each period is predicted from the periods before it only, and methods are
chosen before they are scored: the validation periods (just before the test window) choose each method's
parameters (bandwidth, half-life, blend weights) and the overall method; the test periods only report.

Hit rate at x % = share of the test period's incidents inside the x % of study-area cells ranked highest; PAI = hit
rate / x %. Ties at the cut-off count fractionally (the expected hit rate under a random tie-break), so a method
with many tied cells, like last period's counts, is neither flattered nor punished by cell order.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from analytics.hotspots import methods as hotspots
from analytics.hotspots import near_repeat
from analytics.hotspots.grid import CellGrid

COVERAGES = (1, 5, 10)
LAST_PERIOD, LONG_RUN, BLEND, NEAR_REPEAT = "last-period", "long-run", "blend", "near-repeat"
BASELINES = (LAST_PERIOD, LONG_RUN)
VALIDATION_PERIODS = 6
CHOOSE_AT = "5"  # the coverage (% of the area) whose hit rate chooses
BOOTSTRAP_DRAWS = 2000
# The blend's ingredients: long-run and recent counts, each alone and spread to neighbouring cells at two scales.
BLEND_RECENT_HALF_LIFE = 3.0
BLEND_SCALES_M = (125.0, 400.0)
BLEND_STEP = 0.125


@dataclass
class Context:
    """What the scoring methods share across periods (kernels are built once per grid)."""

    grid: CellGrid
    _cache: dict = field(default_factory=dict)

    def kernel(self, bandwidth_m: float) -> sparse.csr_matrix:
        return self._kept(
            ("kernel", bandwidth_m), lambda: hotspots.gaussian_kernel(grid=self.grid, bandwidth_m=bandwidth_m)
        )

    def blend_features(self, history: np.ndarray) -> np.ndarray:
        """Rows: long-run and recent counts, raw and smoothed at each blend scale, each scaled to sum 1 (kept per
        history length: within one backtest a length names one history)."""
        key = ("blend", len(history))
        if key not in self._cache:
            recent = hotspots.time_weights(periods=len(history), half_life=BLEND_RECENT_HALF_LIFE) @ history
            bases = [history.sum(axis=0), recent]
            rows = bases + [self.kernel(scale) @ base for scale in BLEND_SCALES_M for base in bases]
            self._cache[key] = np.array([row / row.sum() if row.sum() else row for row in rows])
        return self._cache[key]

    def neighbourhood(self, bandwidth_m: float) -> sparse.csr_matrix:
        """The Gaussian kernel scaled to a weighted neighbourhood mean."""
        return self._kept(("neighbourhood", bandwidth_m), lambda: near_repeat.row_normalised(self.kernel(bandwidth_m)))

    def spread(self, scale_m: float) -> sparse.csr_matrix:
        return self._kept(("spread", scale_m), lambda: near_repeat.exponential_kernel(grid=self.grid, scale_m=scale_m))

    def _kept(self, key: tuple, build: Callable):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def neighbours(self) -> sparse.csr_matrix:
        return self._kept(("neighbours",), self.grid.neighbours)


def _last_period(context: Context, history: np.ndarray) -> np.ndarray:
    return history[-1]


def _long_run(context: Context, history: np.ndarray) -> np.ndarray:
    return history.sum(axis=0)


def _kde(context: Context, history: np.ndarray, bandwidth_m: float = hotspots.KDE_BANDWIDTH_M) -> np.ndarray:
    return context.kernel(bandwidth_m) @ history.sum(axis=0)


def _prospective(
    context: Context,
    history: np.ndarray,
    bandwidth_m: float = hotspots.PROSPECTIVE_BANDWIDTH_M,
    half_life: float = hotspots.PROSPECTIVE_HALF_LIFE_PERIODS,
) -> np.ndarray:
    kernel = context.kernel(bandwidth_m)
    return hotspots.prospective_scores(grid=context.grid, history=history, kernel=kernel, half_life=half_life)


def _gi_star(context: Context, history: np.ndarray) -> np.ndarray:
    return hotspots.gi_star(values=history.sum(axis=0), neighbours=context.neighbours()).z


def _blend(context: Context, history: np.ndarray, weights: tuple = ()) -> np.ndarray:
    features = context.blend_features(history)
    weights = np.asarray(weights or np.full(len(features), 1 / len(features)))
    return weights @ features


def _near_repeat(
    context: Context,
    history: np.ndarray,
    bandwidth_m: float = near_repeat.NEIGHBOURHOOD_M,
    pseudo_months: float = near_repeat.PSEUDO_MONTHS,
    scale_m: float = near_repeat.SCALE_M,
    half_life: float = near_repeat.HALF_LIFE_MONTHS,
    weight: float = near_repeat.WEIGHT,
) -> np.ndarray:
    return near_repeat.near_repeat_scores(
        history=history,
        neighbourhood=context.neighbourhood(bandwidth_m),
        spread=context.spread(scale_m),
        pseudo_months=pseudo_months,
        half_life=half_life,
        weight=weight,
    )


def near_repeat_options() -> list[dict]:
    """Neighbourhood scale and weight of the long-run rate, and the near-repeat boost's reach, decay and weight
    (a zero weight needs no reach or decay: listed once)."""
    stable = [{"bandwidth_m": b, "pseudo_months": k} for b in (250.0, 500.0) for k in (2.0, 4.0, 8.0, 16.0)]
    boosts = [
        {"scale_m": s, "half_life": h, "weight": w}
        for s in (200.0, 400.0)
        for h in (0.5, 1.0)
        for w in (0.05, 0.1, 0.2, 0.4)
    ]
    return [part | {"weight": 0.0} for part in stable] + [part | boost for part in stable for boost in boosts]


def simplex(parts: int, step: float = BLEND_STEP) -> list[tuple]:
    """Every weight vector of `parts` non-negative multiples of `step` summing to 1."""
    units = round(1 / step)
    return [
        tuple(k * step for k in combo)
        for combo in itertools.product(range(units + 1), repeat=parts)
        if sum(combo) == units
    ]


Method = Callable[..., np.ndarray]
METHODS: dict[str, Method] = {
    LAST_PERIOD: _last_period,
    LONG_RUN: _long_run,
    "kde": _kde,
    "prospective": _prospective,
    "gi-star": _gi_star,
    BLEND: _blend,
    NEAR_REPEAT: _near_repeat,
}
# Parameters each method may take, tried on the validation periods (a method without an entry has none).
PARAMETERS: dict[str, list[dict]] = {
    "kde": [{"bandwidth_m": b} for b in (100.0, 150.0, 250.0, 400.0)],
    "prospective": [{"bandwidth_m": b, "half_life": h} for b in (100.0, 150.0, 250.0) for h in (3.0, 6.0, 12.0)],
    BLEND: [{"weights": w} for w in simplex(2 + 2 * len(BLEND_SCALES_M))],
    NEAR_REPEAT: near_repeat_options(),
}


def hit_rate(*, scores: np.ndarray, actual: np.ndarray, cells: int) -> float:
    """Share of `actual` incidents in the top `cells` cells by score, ties at the cut-off shared pro rata."""
    total = actual.sum()
    if total == 0 or cells <= 0:
        return 0.0
    threshold = np.partition(scores, len(scores) - cells)[len(scores) - cells]
    above, tied = scores > threshold, scores == threshold
    room = cells - above.sum()
    captured = actual[above].sum() + actual[tied].sum() * room / tied.sum()
    return float(captured / total)


def period_scores(*, scores: np.ndarray, actual: np.ndarray) -> dict[str, float]:
    """Hit rate per coverage percentage for one period."""
    n = len(scores)
    return {str(pct): hit_rate(scores=scores, actual=actual, cells=round(n * pct / 100)) for pct in COVERAGES}


def backtest(
    *,
    grid: CellGrid,
    matrix: np.ndarray,
    test_from: int,
    test_to: int | None = None,
    methods: dict[str, Method] | None = None,
    validation: int = VALIDATION_PERIODS,
) -> dict:
    """Choose on validation periods, then score periods test_from..test_to (inclusive; default the last) of a
    (periods x cells) matrix.

    The up to `validation` periods with data before test_from choose each method's parameters and the overall
    method (highest mean hit rate at 5 %); without any, each method keeps its default parameters. Returns the
    command's JSON shape: {"methods": {name: {"hit_rate": {...}, "pai": {...}, "params"}}, "baselines", "periods",
    "cells", "by_period", "chosen"}. Rates are the mean over test periods of each period's hit rate.
    """
    methods = methods or METHODS
    context = Context(grid=grid)
    last = len(matrix) - 1 if test_to is None else test_to
    test_periods = [t for t in range(max(test_from, 1), last + 1) if matrix[t].sum() > 0]
    validation_periods = [t for t in range(1, test_from) if matrix[t].sum() > 0][-validation:] if validation else []
    tuned = {name: _tune(context, matrix, validation_periods, name, method) for name, method in methods.items()}
    by_period = {name: [] for name in methods}
    for t in test_periods:
        for name, method in methods.items():
            scores = method(context, matrix[:t], **tuned[name]["params"])
            by_period[name].append(period_scores(scores=scores, actual=matrix[t]))
    result = _summary(by_period=by_period, cells=len(grid), periods=test_periods)
    for name, tuning in tuned.items():
        result["methods"][name]["params"] = _plain(tuning["params"])
    result["validation_periods"] = validation_periods
    result["chosen"] = _chosen(tuned, result, by_period) if validation_periods else None
    result["hindsight"] = hindsight(matrix=matrix, periods=test_periods, long_run=by_period.get(LONG_RUN))
    return result


def hindsight(*, matrix: np.ndarray, periods: list[int], long_run: list[dict] | None = None) -> dict | None:
    """Not a forecast: each test period ranked by the counts of every OTHER period, later ones included. What a
    ranking by counts catches with far more history than any forecast has: a reference for how far above long-run
    counts a count-based method can hope to get on these data."""
    if not periods:
        return None
    cells = round(matrix.shape[1] * int(CHOOSE_AT) / 100)
    others = matrix.sum(axis=0)
    rates = np.array([hit_rate(scores=others - matrix[t], actual=matrix[t], cells=cells) for t in periods])
    theirs = np.mean([row[CHOOSE_AT] for row in long_run]) if long_run else 0.0
    return {
        "hit_rate": {CHOOSE_AT: _round(rates.mean())},
        "pai": {CHOOSE_AT: round(float(rates.mean()) * matrix.shape[1] / max(cells, 1), 3)},
        "ratio_to_long_run": _round(rates.mean() / theirs) if theirs else None,
    }


def _tune(context: Context, matrix: np.ndarray, periods: list[int], name: str, method: Method) -> dict:
    """The parameters with the highest mean validation hit rate (the first listed on a tie or without periods)."""
    options = PARAMETERS.get(name, [{}])
    if not periods:
        return {"params": {}, "validation": None}
    cells = round(len(context.grid) * int(CHOOSE_AT) / 100)
    rates = [
        np.mean(
            [hit_rate(scores=method(context, matrix[:t], **params), actual=matrix[t], cells=cells) for t in periods]
        )
        for params in options
    ]
    best = int(np.argmax(rates))
    return {"params": options[best], "validation": round(float(rates[best]), 4)}


def _chosen(tuned: dict, result: dict, by_period: dict) -> dict:
    """The non-baseline method that did best on the validation periods, with its test scores and a bootstrap
    interval (over test periods) of its hit rate at 5 % relative to long-run counts'."""
    candidates = [name for name in tuned if name not in BASELINES]
    name = max(candidates, key=lambda candidate: tuned[candidate]["validation"])
    chosen = {
        "method": name,
        "params": _plain(tuned[name]["params"]),
        "validation_hit_rate": {CHOOSE_AT: tuned[name]["validation"]},
        "hit_rate": result["methods"][name]["hit_rate"],
        "pai": result["methods"][name]["pai"],
    }
    if LONG_RUN in by_period and by_period[LONG_RUN]:
        ours = np.array([row[CHOOSE_AT] for row in by_period[name]])
        theirs = np.array([row[CHOOSE_AT] for row in by_period[LONG_RUN]])
        chosen["ratio_to_long_run"] = _round(ours.mean() / theirs.mean()) if theirs.mean() else None
        chosen["ratio_interval"] = bootstrap_ratio(ours=ours, theirs=theirs)
    return chosen


def bootstrap_ratio(*, ours: np.ndarray, theirs: np.ndarray, level: float = 0.9) -> list[float | None]:
    """Interval of mean(ours) / mean(theirs), resampling whole test periods (fixed seed: reproducible)."""
    draws = np.random.default_rng(0).integers(len(ours), size=(BOOTSTRAP_DRAWS, len(ours)))
    totals = theirs[draws].sum(axis=1)
    ratios = ours[draws].sum(axis=1) / np.where(totals > 0, totals, np.nan)
    low, high = np.nanquantile(ratios, [(1 - level) / 2, (1 + level) / 2])
    return [_round(low), _round(high)]


def _round(value) -> float | None:
    return round(float(value), 4) if np.isfinite(value) else None


def _plain(params: dict) -> dict:
    """JSON-ready parameters (weight tuples as lists, numpy floats as floats)."""
    return {key: list(map(float, value)) if isinstance(value, tuple) else value for key, value in params.items()}


def _summary(*, by_period: dict, cells: int, periods: list[int]) -> dict:
    results = {}
    for name, rows in by_period.items():
        rates = {
            str(pct): round(float(np.mean([row[str(pct)] for row in rows])), 4) if rows else 0.0 for pct in COVERAGES
        }
        pai = {pct: round(rate * cells / max(round(cells * int(pct) / 100), 1), 3) for pct, rate in rates.items()}
        results[name] = {"hit_rate": rates, "pai": pai}
    return {
        "methods": results,
        "baselines": list(BASELINES),
        "periods": len(periods),
        "cells": cells,
        "by_period": {name: [row["5"] for row in rows] for name, rows in by_period.items()},
    }


def best_method(result: dict, *, coverage: str = CHOOSE_AT) -> str:
    """The method chosen on the validation periods; without any (too little history), the non-baseline method with
    the highest test hit rate, and the result's `chosen` stays null to say that no selection came first."""
    if result.get("chosen"):
        return result["chosen"]["method"]
    candidates = {k: v for k, v in result["methods"].items() if k not in result["baselines"]}
    return max(candidates, key=lambda name: candidates[name]["hit_rate"][coverage])
