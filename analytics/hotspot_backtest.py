"""Honest hotspot forecast backtests: each test period is predicted from the periods before it only.

Hit rate at x % = share of the test period's incidents inside the x % of study-area cells ranked highest; PAI = hit
rate / x %. Ties at the cut-off count fractionally (the expected hit rate under a random tie-break), so a method
with many tied cells, like last period's counts, is neither flattered nor punished by cell order.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from analytics import hotspots
from analytics.grid import CellGrid

COVERAGES = (1, 5, 10)
LAST_PERIOD, LONG_RUN = "last-period", "long-run"
BASELINES = (LAST_PERIOD, LONG_RUN)


@dataclass
class Context:
    """What the scoring methods share across periods (kernels are built once per grid)."""

    grid: CellGrid
    _cache: dict = field(default_factory=dict)

    def kernel(self, bandwidth_m: float) -> sparse.csr_matrix:
        key = ("kernel", bandwidth_m)
        if key not in self._cache:
            self._cache[key] = hotspots.gaussian_kernel(grid=self.grid, bandwidth_m=bandwidth_m)
        return self._cache[key]

    def neighbours(self) -> sparse.csr_matrix:
        if "neighbours" not in self._cache:
            self._cache["neighbours"] = self.grid.neighbours()
        return self._cache["neighbours"]


def _last_period(context: Context, history: np.ndarray) -> np.ndarray:
    return history[-1]


def _long_run(context: Context, history: np.ndarray) -> np.ndarray:
    return history.sum(axis=0)


def _kde(context: Context, history: np.ndarray) -> np.ndarray:
    return context.kernel(hotspots.KDE_BANDWIDTH_M) @ history.sum(axis=0)


def _prospective(context: Context, history: np.ndarray) -> np.ndarray:
    kernel = context.kernel(hotspots.PROSPECTIVE_BANDWIDTH_M)
    return hotspots.prospective_scores(grid=context.grid, history=history, kernel=kernel)


def _gi_star(context: Context, history: np.ndarray) -> np.ndarray:
    return hotspots.gi_star(values=history.sum(axis=0), neighbours=context.neighbours()).z


Method = Callable[[Context, np.ndarray], np.ndarray]
METHODS: dict[str, Method] = {
    LAST_PERIOD: _last_period,
    LONG_RUN: _long_run,
    "kde": _kde,
    "prospective": _prospective,
    "gi-star": _gi_star,
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
) -> dict:
    """Evaluate every method on periods test_from..test_to (inclusive; default the last) of a (periods x cells) matrix.

    Returns the command's JSON shape: {"methods": {name: {"hit_rate": {...}, "pai": {...}}}, "baselines", "periods",
    "cells", "by_period"}. Rates are the mean over test periods of each period's hit rate.
    """
    methods = methods or METHODS
    context = Context(grid=grid)
    last = len(matrix) - 1 if test_to is None else test_to
    test_periods = [t for t in range(max(test_from, 1), last + 1) if matrix[t].sum() > 0]
    by_period = {name: [] for name in methods}
    for t in test_periods:
        for name, method in methods.items():
            by_period[name].append(period_scores(scores=method(context, matrix[:t]), actual=matrix[t]))
    return _summary(by_period=by_period, cells=len(grid), periods=test_periods)


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


def best_method(result: dict, *, coverage: str = "5") -> str:
    """The non-baseline method with the highest hit rate at the given coverage."""
    candidates = {k: v for k, v in result["methods"].items() if k not in result["baselines"]}
    return max(candidates, key=lambda name: candidates[name]["hit_rate"][coverage])
