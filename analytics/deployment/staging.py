"""The coverage option of a plan: staging sites per shift from the coverage model (analytics.deployment.coverage),
stored beside the demand-share allocation with both plans' expected coverage, response time and equity."""

import numpy as np
from django.conf import settings

from analytics.deployment import coverage
from analytics.deployment.selectors import sub_area_centroids
from analytics.models import DeploymentPlan

MAX_LOAD_RATIO = 2.0


def travel_settings(*, borough_code: str) -> dict:
    area_type = settings.DEPLOYMENT_AREA_TYPES.get(borough_code, "urban")
    return {
        "area_type": area_type,
        "speed_kmh": settings.DEPLOYMENT_SPEEDS_KMH[area_type],
        "detour": settings.DEPLOYMENT_DETOUR_PERCENT / 100,
        "target_minutes": settings.DEPLOYMENT_TARGET_MINUTES,
        "dispatch_delay_minutes": settings.DEPLOYMENT_DISPATCH_DELAY_MINUTES,
        "max_load_ratio": MAX_LOAD_RATIO,
    }


def coverage_option_build(*, plan: DeploymentPlan) -> dict:
    """Per shift: units per staging site (sub-area centroid) from the coverage model, and both plans' expected
    coverage, response time and workload equity on the same travel times. {} when no sub-area has a position."""
    centroids = sub_area_centroids(borough_code=plan.borough_code, codes=plan.areas)
    located = [area for area in plan.areas if area in centroids]
    if not located:
        return {}
    params = travel_settings(borough_code=plan.borough_code)
    points = np.array([centroids[area] for area in located])
    travel = coverage.travel_minutes(points=points, sites=points, speed_kmh=params["speed_kmh"],
                                     detour=params["detour"])  # fmt: skip
    sites, scored = {}, {"coverage_plan": {}, "demand_share_plan": {}}
    for shift in plan.shifts:
        demand = np.array([plan.demand[area][shift] for area in located], dtype=float)
        units_at = _solve(demand=demand, travel=travel, units=int(plan.units_available[shift]), params=params)
        sites[shift] = {area: int(n) for area, n in zip(located, units_at, strict=True) if n}
        current = np.array([plan.allocation[area][shift] for area in located])
        for name, staged in (("coverage_plan", units_at), ("demand_share_plan", current)):
            scored[name][shift] = _score(demand, travel, staged, params)
    total = sum(sum(row.values()) for row in plan.demand.values()) or 1.0
    return {
        "parameters": params,
        "sites": sites,
        "positions": {area: [round(lat, 5), round(lon, 5)] for area, (lat, lon) in centroids.items()},
        "unlocated_demand_share": round(1 - sum(sum(plan.demand[a].values()) for a in located) / total, 4),
        "metrics": {name: {"by_shift": by_shift, **coverage.combine(by_shift)} for name, by_shift in scored.items()},
    }


def _solve(*, demand, travel, units: int, params: dict) -> np.ndarray:
    problem = coverage.CoverageProblem(
        demand=demand, travel=travel, units=units, target_minutes=params["target_minutes"],
        max_load_ratio=params["max_load_ratio"],
    )  # fmt: skip
    return coverage.solve(problem)


def _score(demand, travel, staged, params: dict) -> dict:
    return coverage.staging_metrics(
        demand=demand, travel=travel, units_at=np.asarray(staged), target_minutes=params["target_minutes"],
        dispatch_delay=params["dispatch_delay_minutes"],
    )  # fmt: skip


def coverage_option_attach(*, plan: DeploymentPlan) -> DeploymentPlan:
    """Stores the option; a model the solver cannot solve leaves the demand-share plan alone, with the reason."""
    try:
        plan.coverage_option = coverage_option_build(plan=plan)
    except ValueError as error:
        plan.coverage_option = {"error": str(error)}
    plan.save(update_fields=["coverage_option"])
    return plan
