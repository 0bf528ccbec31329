"""Units per area per shift by mixed-integer programming (scipy.optimize.milp, HiGHS).

Coverage has diminishing returns: each unit in an area covers a share `unit_share` of the demand the units before it
left uncovered, so the k-th unit adds d * p * (1 - p)^(k - 1). That concave curve is exact at whole units as a sum
of binary segments with decreasing gains, so the solver fills them in order without ordering constraints.

Workload balance: with m = demand per unit over the shift, every area with demand gets a load (demand per unit)
within [m / sqrt(r), m * sqrt(r)] (rounded outwards to whole units), so the busiest unit carries about r times
the quietest one at most. If whole units make
that infeasible, r is relaxed step by step and the bound used is reported. The same model positions ambulance-style
units when the demand is calls for service.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse

UNIT_SHARE = 0.5
MAX_RELAXATIONS = 8


@dataclass(frozen=True)
class Problem:
    areas: list[str]
    shifts: list[str]
    demand: np.ndarray  # areas x shifts, expected demand
    units: np.ndarray  # per shift
    min_cover: int = 0
    max_imbalance: float = 3.0
    unit_share: float = UNIT_SHARE


@dataclass(frozen=True)
class Solution:
    units: np.ndarray  # areas x shifts, integers
    imbalance_bound: float  # the bound actually used (>= the one asked for when relaxed)
    covered: float


def segment_gains(demand: float, segments: int, unit_share: float) -> np.ndarray:
    return demand * unit_share * (1 - unit_share) ** np.arange(segments)


def coverage(demand: np.ndarray, units: np.ndarray, unit_share: float = UNIT_SHARE) -> np.ndarray:
    """Demand covered per cell by `units` units: d * (1 - (1 - p)^x)."""
    return demand * (1 - (1 - unit_share) ** units)


def _bounds(problem: Problem, bound: float) -> tuple[np.ndarray, np.ndarray]:
    """Whole-unit counts per cell that keep a deployed cell's load inside the workload band."""
    totals = problem.demand.sum(axis=0)
    per_unit = np.divide(totals, problem.units, out=np.zeros_like(totals, dtype=float), where=problem.units > 0)
    root = math.sqrt(bound)
    with np.errstate(divide="ignore", invalid="ignore"):
        # rounded outwards so a band narrower than one unit still holds the nearest whole numbers
        low = np.where(per_unit > 0, np.floor(problem.demand / (per_unit * root) + 1e-9), 0)
        high = np.where(per_unit > 0, np.ceil(problem.demand * root / per_unit - 1e-9), 0)
    ceiling = np.broadcast_to(problem.units, high.shape)
    # a cell without demand carries no load: it may hold units only up to the minimum cover
    high = np.where(problem.demand > 0, np.maximum(high, problem.min_cover), problem.min_cover)
    return np.maximum(low, 1), np.minimum(high, ceiling)


def _solve_once(problem: Problem, bound: float) -> np.ndarray | None:
    """Segments y (binary, cell x unit) and a deployed flag z per cell: low*z <= sum(y) <= high*z, sum(y) >= cover."""
    n_areas, n_shifts = problem.demand.shape
    segments = int(problem.units.max()) if len(problem.units) else 0
    if segments == 0:
        return np.zeros((n_areas, n_shifts), dtype=int)
    n_cells = n_areas * n_shifts
    gains = np.concatenate(
        [
            np.concatenate([segment_gains(d, segments, problem.unit_share) for d in problem.demand.ravel()]),
            np.zeros(n_cells),
        ]
    )
    # column cell * segments + k is unit k of a cell; the last n_cells columns are the flags
    cell_sum = sparse.hstack(
        [sparse.kron(sparse.eye(n_cells), np.ones((1, segments))), sparse.csr_matrix((n_cells, n_cells))]
    )
    shift_sum = sparse.kron(np.ones((1, n_areas)), sparse.eye(n_shifts)) @ cell_sum
    low, high = _bounds(problem, bound)
    flags = sparse.hstack([sparse.csr_matrix((n_cells, n_cells * segments)), sparse.eye(n_cells)])
    constraints = [
        optimize.LinearConstraint(shift_sum, 0, problem.units),
        optimize.LinearConstraint(cell_sum, problem.min_cover, np.inf),
        optimize.LinearConstraint(cell_sum - sparse.diags(low.ravel()) @ flags, 0, np.inf),
        optimize.LinearConstraint(cell_sum - sparse.diags(high.ravel()) @ flags, -np.inf, 0),
    ]
    result = optimize.milp(
        -gains, constraints=constraints, integrality=np.ones(gains.size), bounds=optimize.Bounds(0, 1)
    )
    if result.status != 0:
        return None
    return np.rint(cell_sum @ result.x).astype(int).reshape(n_areas, n_shifts)


def solve(problem: Problem) -> Solution:
    """Maximise covered demand; relaxes the workload bound (doubling) until whole units make it feasible."""
    bound = problem.max_imbalance
    for _attempt in range(MAX_RELAXATIONS):
        units = _solve_once(problem, bound)
        if units is not None:
            covered = float(coverage(problem.demand, units, problem.unit_share).sum())
            return Solution(units=units, imbalance_bound=bound, covered=covered)
        bound *= 2
    raise ValueError("No allocation satisfies the minimum cover with the units available.")


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = all equal)."""
    values = np.sort(np.asarray(values, dtype=float))
    if len(values) == 0 or values.sum() == 0:
        return 0.0
    n = len(values)
    return float((2 * np.arange(1, n + 1) - n - 1) @ values / (n * values.sum()))


def equity(demand: np.ndarray, units: np.ndarray) -> dict[str, float]:
    """Workload per deployed unit (each unit carries its cell's demand / units): max/min ratio and Gini."""
    deployed = units > 0
    loads = np.repeat((demand[deployed] / units[deployed]), units[deployed])
    if len(loads) == 0:
        return {"max_load": 0.0, "min_load": 0.0, "max_min_ratio": None, "gini": 0.0}
    low = loads.min()
    return {
        "max_load": round(float(loads.max()), 3),
        "min_load": round(float(low), 3),
        "max_min_ratio": round(float(loads.max() / low), 3) if low > 0 else None,
        "gini": round(gini(loads), 4),
    }


def plan_metrics(problem: Problem, units: np.ndarray, current: np.ndarray | None = None) -> dict:
    """Expected coverage and equity of a plan, and what changes against the current one."""
    total = float(problem.demand.sum())
    covered = float(coverage(problem.demand, units, problem.unit_share).sum())
    metrics = {
        "demand": round(total, 3),
        "covered": round(covered, 3),
        "coverage": round(covered / total, 4) if total else 0.0,
        "units_deployed": int(units.sum()),
        "equity": equity(problem.demand, units),
    }
    if current is not None:
        before = plan_metrics(problem, current)
        metrics["change"] = {
            "units_moved": int(np.abs(units - current).sum() // 2),
            "coverage_before": before["coverage"],
            "coverage_gain": round(metrics["coverage"] - before["coverage"], 4),
            "gini_before": before["equity"]["gini"],
        }
    return metrics


def proportional_plan(demand: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Units split in proportion to demand by largest remainder: a plausible 'current plan' when none is stored."""
    plan = np.zeros(demand.shape, dtype=int)
    for s, available in enumerate(units):
        column = demand[:, s]
        share = column / column.sum() * available if column.sum() else np.full(len(column), available / len(column))
        plan[:, s] = np.floor(share)
        for i in np.argsort(-(share - plan[:, s]))[: int(available - plan[:, s].sum())]:
            plan[i, s] += 1
    return plan
