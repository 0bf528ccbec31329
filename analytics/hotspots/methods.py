"""Hotspot statistics on a CellGrid: counts, KDE surface, Getis-Ord Gi* with FDR control, prospective scores.

Everything here is pure numpy/scipy on arrays indexed like `grid.cells`, so the same functions serve a stored run
(analytics.services_hotspots), the backtest (analytics.hotspots.backtest) and the tests.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse, stats
from scipy.spatial import cKDTree

from analytics.hotspots.grid import CellGrid

# Chosen on 2013-07..12 Met burglaries (validation months before the 2014 test window) on 250 m cells.
KDE_BANDWIDTH_M = 150.0
PROSPECTIVE_BANDWIDTH_M = 150.0
PROSPECTIVE_HALF_LIFE_PERIODS = 6.0
FDR_ALPHA = 0.05


def cell_counts(*, grid: CellGrid, cell_index: np.ndarray, weights=None) -> np.ndarray:
    """Incidents per cell; points outside the study area (index -1) are dropped."""
    inside = cell_index >= 0
    w = None if weights is None else np.asarray(weights, dtype=float)[inside]
    return np.bincount(cell_index[inside], weights=w, minlength=len(grid)).astype(float)


def period_matrix(*, grid: CellGrid, cell_index: np.ndarray, period_index: np.ndarray, periods: int) -> np.ndarray:
    """Counts as a (periods x cells) matrix; period_index is 0-based, out-of-range periods are dropped."""
    keep = (cell_index >= 0) & (period_index >= 0) & (period_index < periods)
    flat = period_index[keep] * len(grid) + cell_index[keep]
    return np.bincount(flat, minlength=periods * len(grid)).reshape(periods, len(grid)).astype(float)


def gaussian_kernel(*, grid: CellGrid, bandwidth_m: float) -> sparse.csr_matrix:
    """Row-normalised-free Gaussian weights between cell centres, cut at 3 bandwidths (a sparse smoothing operator)."""
    points = np.column_stack([grid.x, grid.y])
    pairs = cKDTree(points).query_pairs(3 * bandwidth_m, output_type="ndarray")
    d2 = ((points[pairs[:, 0]] - points[pairs[:, 1]]) ** 2).sum(axis=1)
    w = np.exp(-d2 / (2 * bandwidth_m**2))
    n = len(grid)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(n)])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(n)])
    return sparse.csr_matrix((np.concatenate([w, w, np.ones(n)]), (rows, cols)), shape=(n, n))


def kde_surface(*, grid: CellGrid, counts: np.ndarray, bandwidth_m: float = KDE_BANDWIDTH_M) -> np.ndarray:
    """Grid-binned Gaussian kernel density: expected incidents per cell, same total as the counts."""
    kernel = gaussian_kernel(grid=grid, bandwidth_m=bandwidth_m)
    smoothed = kernel @ counts
    total = smoothed.sum()
    return smoothed * (counts.sum() / total) if total else smoothed


def time_weights(*, periods: int, half_life: float) -> np.ndarray:
    """Exponentially decaying weight per past period, the most recent last (weight 1)."""
    age = np.arange(periods)[::-1]
    return 0.5 ** (age / half_life)


def prospective_scores(
    *,
    grid: CellGrid,
    history: np.ndarray,
    bandwidth_m: float = PROSPECTIVE_BANDWIDTH_M,
    half_life: float = PROSPECTIVE_HALF_LIFE_PERIODS,
    kernel: sparse.csr_matrix | None = None,
) -> np.ndarray:
    """Near-repeat weighted risk for the next period: past events decay exponentially in time and in space."""
    kernel = gaussian_kernel(grid=grid, bandwidth_m=bandwidth_m) if kernel is None else kernel
    recent = time_weights(periods=len(history), half_life=half_life) @ history
    return kernel @ recent


@dataclass(frozen=True)
class GiStar:
    z: np.ndarray
    p: np.ndarray
    q: np.ndarray
    significant: np.ndarray  # hot spots: q below alpha and z above 0


def gi_star(*, values: np.ndarray, neighbours: sparse.csr_matrix, alpha: float = FDR_ALPHA) -> GiStar:
    """Getis-Ord Gi* (binary weights including the cell itself), one-sided p for hot spots, BH-FDR q-values."""
    n = len(values)
    mean, sd = values.mean(), values.std()
    w_sum = np.asarray(neighbours.sum(axis=1)).ravel()
    w_sq = np.asarray(neighbours.multiply(neighbours).sum(axis=1)).ravel()
    denominator = sd * np.sqrt(np.maximum(n * w_sq - w_sum**2, 0) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, (neighbours @ values - mean * w_sum) / denominator, 0.0)
    p = stats.norm.sf(z)
    q = benjamini_hochberg(p)
    return GiStar(z=z, p=p, q=q, significant=(q < alpha) & (z > 0))


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """False-discovery-rate adjusted p-values (q-values), in the input order."""
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(n)
    q[order] = np.minimum(adjusted, 1.0)
    return q
