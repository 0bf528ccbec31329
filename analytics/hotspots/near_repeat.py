"""Near-repeat hotspot forecast: a cell's long-run rate shrunk towards its neighbourhood's, plus a boost from the
last months' incidents close by.

Burglary clusters in space and time: after a burglary, homes within a few hundred metres run a raised risk for some
weeks (near repeats), on top of a stable map of where burglary happens. At monthly resolution, with police.uk
locations snapped to anonymised points, the two parts are:

- the stable part: each cell's long-run rate (incidents per month) shrunk towards its neighbourhood's rate, as an
  empirical-Bayes estimate would, so a cell counts `pseudo_months` of its neighbourhood's experience beside its own
  months. The longer the history, the less the neighbourhood weighs, and cells tied on few counts are told apart;
- the self-exciting part: the last `NEAR_REPEAT_MONTHS` months' incidents, decaying by month (`half_life` months)
  and by distance (exponentially, `scale_m`), times `weight`.

Everything is sparse matrix arithmetic on arrays indexed like `grid.cells` (vectorised, a few ms per month).
"""

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from analytics.hotspots.grid import CellGrid

NEAR_REPEAT_MONTHS = 3
# Defaults chosen on 2013-07..12 Met burglaries (validation months before the 2014 test window), 250 m squares.
NEIGHBOURHOOD_M = 500.0
PSEUDO_MONTHS = 8.0
SCALE_M = 200.0
HALF_LIFE_MONTHS = 0.5
WEIGHT = 0.1


def exponential_kernel(*, grid: CellGrid, scale_m: float) -> sparse.csr_matrix:
    """Weights exp(-distance / scale) between cell centres (1 on the diagonal), cut at 3 scales."""
    points = np.column_stack([grid.x, grid.y])
    tree = cKDTree(points)
    distances = tree.sparse_distance_matrix(tree, 3 * scale_m, output_type="coo_matrix")
    kernel = sparse.csr_matrix(
        (np.exp(-distances.data / scale_m), (distances.row, distances.col)), shape=(len(grid), len(grid))
    )
    kernel.setdiag(1.0)  # whether or not the zero self-distances were kept
    return kernel


def row_normalised(kernel: sparse.csr_matrix) -> sparse.csr_matrix:
    """Each row scaled to sum 1: `kernel @ values` is then a weighted neighbourhood mean."""
    sums = np.asarray(kernel.sum(axis=1)).ravel()
    return sparse.diags(1 / np.where(sums > 0, sums, 1)) @ kernel


def shrunk_rate(*, history: np.ndarray, neighbourhood: sparse.csr_matrix, pseudo_months: float) -> np.ndarray:
    """Long-run incidents per month per cell, shrunk towards the neighbourhood mean rate (row-normalised kernel)."""
    months = len(history)
    total = history.sum(axis=0)
    prior = neighbourhood @ total / max(months, 1)
    return (total + pseudo_months * prior) / (months + pseudo_months)


def recent_boost(*, history: np.ndarray, spread: sparse.csr_matrix, half_life: float) -> np.ndarray:
    """The last NEAR_REPEAT_MONTHS months' incidents, the latest month weight 1, older ones halving every
    `half_life` months, spread to nearby cells by the (not normalised) `spread` kernel."""
    recent = history[-NEAR_REPEAT_MONTHS:]
    age = np.arange(len(recent))[::-1]
    return spread @ (0.5 ** (age / half_life) @ recent)


def near_repeat_scores(
    *,
    history: np.ndarray,
    neighbourhood: sparse.csr_matrix,
    spread: sparse.csr_matrix,
    pseudo_months: float = PSEUDO_MONTHS,
    half_life: float = HALF_LIFE_MONTHS,
    weight: float = WEIGHT,
) -> np.ndarray:
    """Expected-risk score per cell for the month after `history` (a months x cells matrix, oldest first)."""
    rate = shrunk_rate(history=history, neighbourhood=neighbourhood, pseudo_months=pseudo_months)
    if not weight or not len(history):
        return rate
    return rate + weight * recent_boost(history=history, spread=spread, half_life=half_life)
