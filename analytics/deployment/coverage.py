"""Where to stage a shift's units so that the most forecast demand lies within a target travel time: the maximal
covering location problem (Church & ReVelle 1974) by mixed-integer programming (scipy.optimize.milp, HiGHS).

Sites are candidate staging points (sub-area centroids), demand points the sub-areas with their forecast demand.
Travel time is straight-line distance x a detour factor / a speed for the area type (urban, suburban, rural).

Variables: x_j whole units staged at site j, y_i = 1 when demand point i is covered, z_ij in [0, 1] the share of
point i's demand answered from site j (only pairs within the target). Maximise covered demand subject to
sum x = units, sum_j z_ij = y_i, and workload equity: the demand a site answers is at most `max_load_ratio` x the
mean demand per unit x the units it holds, so no unit is asked to cover far more than its share. A tiny penalty on
travel time breaks ties towards the closer site.

The same `staging_metrics` score any plan that puts units at sites, so the demand-share plan (units stationed in
their area) and the coverage plan are compared on one definition.
"""

from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse

from analytics.deployment.allocation import gini

EARTH_KM = 6371.0
TIE_BREAK = 1e-4
TIME_LIMIT_SECONDS = 30


@dataclass(frozen=True)
class CoverageProblem:
    demand: np.ndarray  # (points,) forecast demand
    travel: np.ndarray  # (points, sites) minutes
    units: int
    target_minutes: float
    max_load_ratio: float = 2.0


def travel_minutes(*, points: np.ndarray, sites: np.ndarray, speed_kmh: float, detour: float = 1.3) -> np.ndarray:
    """Minutes from every site to every point: great-circle km x detour / speed. Coordinates as (lat, lon) rows."""
    lat1, lon1 = np.radians(points[:, :1]), np.radians(points[:, 1:2])
    lat2, lon2 = np.radians(sites[:, 0])[None, :], np.radians(sites[:, 1])[None, :]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    km = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    return km * detour / speed_kmh * 60


def solve(problem: CoverageProblem) -> np.ndarray:
    """Whole units per site that maximise demand within the target under the workload cap."""
    n_points, n_sites = problem.travel.shape
    if problem.units <= 0 or n_sites == 0:
        return np.zeros(n_sites, dtype=int)
    pairs = np.argwhere(problem.travel <= problem.target_minutes)  # (point, site) within target
    n_pairs = len(pairs)
    demand = problem.demand
    scale = problem.travel.max() or 1.0
    pair_cost = TIE_BREAK * demand[pairs[:, 0]] * problem.travel[pairs[:, 0], pairs[:, 1]] / scale
    # columns: x (sites), y (points), z (pairs); a unit costs a hair, so units the optimum does not need stay free
    unit_cost = TIE_BREAK * 1e-2 * (demand[demand > 0].min() if (demand > 0).any() else 1.0)
    cost = np.concatenate([np.full(n_sites, unit_cost), -demand, pair_cost])
    constraints = [
        optimize.LinearConstraint(np.concatenate([np.ones(n_sites), np.zeros(n_points + n_pairs)])[None, :], 0,
                                  problem.units),
        _assignment(pairs, n_sites, n_points),
        _workload(problem, pairs, n_points),
    ]  # fmt: skip
    upper = np.concatenate([np.full(n_sites, problem.units), np.ones(n_points + n_pairs)])
    integrality = np.concatenate([np.ones(n_sites + n_points), np.zeros(n_pairs)])
    result = optimize.milp(
        cost,
        constraints=constraints,
        integrality=integrality,
        bounds=optimize.Bounds(0, upper),
        options={"mip_rel_gap": 1e-9, "time_limit": TIME_LIMIT_SECONDS},
    )
    if result.x is None:  # a time limit with an incumbent still gives one (status 1): the best found is used
        raise ValueError(f"The coverage model found no solution: {result.message}")
    return _spread_spare(np.rint(result.x[:n_sites]).astype(int), problem)


def _assignment(pairs: np.ndarray, n_sites: int, n_points: int) -> optimize.LinearConstraint:
    """sum_j z_ij - y_i = 0 for every point."""
    n_pairs = len(pairs)
    z = sparse.csr_matrix((np.ones(n_pairs), (pairs[:, 0], np.arange(n_pairs))), shape=(n_points, n_pairs))
    matrix = sparse.hstack([sparse.csr_matrix((n_points, n_sites)), -sparse.eye(n_points), z])
    return optimize.LinearConstraint(matrix, 0, 0)


def _workload(problem: CoverageProblem, pairs: np.ndarray, n_points: int) -> optimize.LinearConstraint:
    """sum_i d_i z_ij - cap x_j <= 0: a site answers at most `cap` demand per unit staged there."""
    n_sites, n_pairs = problem.travel.shape[1], len(pairs)
    cap = problem.max_load_ratio * problem.demand.sum() / problem.units
    load = sparse.csr_matrix((problem.demand[pairs[:, 0]], (pairs[:, 1], np.arange(n_pairs))), shape=(n_sites, n_pairs))
    matrix = sparse.hstack([-cap * sparse.eye(n_sites), sparse.csr_matrix((n_sites, n_points)), load])
    return optimize.LinearConstraint(matrix, -np.inf, 0)


def _spread_spare(units_at: np.ndarray, problem: CoverageProblem) -> np.ndarray:
    """Units the optimum leaves unused (coverage already maximal) go where they cut response time most."""
    units_at = units_at.copy()
    for _spare in range(problem.units - int(units_at.sum())):
        best = min(range(len(units_at)), key=lambda j: _mean_travel(problem, units_at + np.eye(len(units_at))[j]))
        units_at[best] += 1
    return units_at


def _mean_travel(problem: CoverageProblem, units_at: np.ndarray) -> float:
    nearest = nearest_travel(problem.travel, units_at)
    return float(problem.demand @ nearest / max(problem.demand.sum(), 1e-12)) - 1e-9 * units_at.max()


def nearest_travel(travel: np.ndarray, units_at: np.ndarray) -> np.ndarray:
    """Minutes from each point to the closest site holding a unit (inf when none does)."""
    staged = units_at > 0
    if not staged.any():
        return np.full(travel.shape[0], np.inf)
    return travel[:, staged].min(axis=1)


def staging_metrics(
    *, demand: np.ndarray, travel: np.ndarray, units_at: np.ndarray, target_minutes: float, dispatch_delay: float
) -> dict:
    """Coverage: share of forecast demand whose closest staged unit is within the target travel time.
    Response: demand-weighted travel time from the closest staged unit + the dispatch delay (minutes).
    Workload: each point goes to its closest staged site, whose demand is split between its units; the equity
    figures are the busiest unit's demand over the mean, and the Gini of the per-unit loads (0 = all equal)."""
    total = float(demand.sum())
    if total <= 0 or not (units_at > 0).any():
        return {"coverage": None, "response_minutes": None, "max_mean_load": None, "gini": None, "demand": total}
    nearest = nearest_travel(travel, units_at)
    loads = unit_loads(demand=demand, travel=travel, units_at=units_at)
    return {
        "coverage": round(float(demand[nearest <= target_minutes].sum() / total), 4),
        "response_minutes": round(float(demand @ nearest / total) + dispatch_delay, 2),
        "max_mean_load": round(float(loads.max() / loads.mean()), 3) if loads.mean() > 0 else None,
        "gini": round(gini(loads), 4),
        "demand": round(total, 3),
    }


def unit_loads(*, demand: np.ndarray, travel: np.ndarray, units_at: np.ndarray) -> np.ndarray:
    """Demand per unit, one value per unit staged."""
    staged = np.flatnonzero(units_at > 0)
    closest = staged[np.argmin(travel[:, staged], axis=1)]
    site_demand = np.bincount(closest, weights=demand, minlength=len(units_at))
    return np.repeat(site_demand[staged] / units_at[staged], units_at[staged])


def combine(per_shift: dict[str, dict]) -> dict:
    """One figure across shifts: coverage and response weighted by each shift's demand; the worst shift's equity."""
    scored = [m for m in per_shift.values() if m.get("coverage") is not None]
    total = sum(m["demand"] for m in scored)
    if not scored or total <= 0:
        return {"coverage": None, "response_minutes": None, "max_mean_load": None, "gini": None}
    return {
        "coverage": round(sum(m["coverage"] * m["demand"] for m in scored) / total, 4),
        "response_minutes": round(sum(m["response_minutes"] * m["demand"] for m in scored) / total, 2),
        "max_mean_load": max((m["max_mean_load"] or 0) for m in scored),
        "gini": max(m["gini"] for m in scored),
    }
