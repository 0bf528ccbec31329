"""Deployment plans: demand per sub-area and shift, the MILP allocation, a commander's acceptance, the bias report.

Demand is the recent mean daily count of REPORTED incidents (calls for service, or crimes) per sub-area and shift,
scaled to the stored daily demand forecast of the BCU when there is one. Police-generated records are left out by
default so a plan does not chase its own activity (see analytics.deployment.fairness).
"""

import datetime as dt
from collections import defaultdict

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from analytics.correlation import populations
from analytics.deployment import allocation, fairness, staging
from analytics.models import BiasReport, DemandForecast, DeploymentPlan
from ingestion.models import Deprivation, Incident

SHIFTS = {"early": (7, 15), "late": (15, 23), "night": (23, 7)}
ALL_DAY = {"all-day": (0, 24)}
UNITS_PER_SHIFT = {"early": 8, "late": 10, "night": 6, "all-day": 12}
WINDOW_DAYS = 84
SUB_AREA_FIELDS = ("post_id", "neighborhood_id", "lsoa_id")
REPORTED = Incident.Origin.PUBLIC_REPORT
PATROLLED_SHARE = 0.2


def _recent_incidents(*, borough_code: str, basis: str, origin: str) -> pd.DataFrame:
    rows = Incident.objects.filter(borough_id=borough_code, kind=basis)
    if origin != "all":
        rows = rows.filter(origin=origin)
    last = rows.order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    if last is None:
        return pd.DataFrame()
    fields = ["local_date", "local_hour", "time_precision", *SUB_AREA_FIELDS]
    window = rows.filter(occurred_at__gte=last - dt.timedelta(days=WINDOW_DAYS))
    return pd.DataFrame.from_records(window.values_list(*fields).iterator(chunk_size=20_000), columns=fields)


def _sub_area(frame: pd.DataFrame) -> pd.Series:
    """The finest area link the data fill best (posts for calls, LSOAs for police.uk crimes)."""
    best = max(SUB_AREA_FIELDS, key=lambda name: frame[name].notna().sum())
    return frame[best].fillna("unknown")


def _shift_of(hours: pd.Series, shifts: dict) -> np.ndarray:
    spans = [(hours >= a) & (hours < b) if a < b else (hours >= a) | (hours < b) for a, b in shifts.values()]
    return np.select(spans, list(shifts), "")


def shift_demand(*, borough_code: str, basis: str = "call", origin: str = REPORTED) -> pd.DataFrame:
    """Mean daily demand, sub-areas x shifts; hour-of-day shifts only when the data have minute precision."""
    frame = _recent_incidents(borough_code=borough_code, basis=basis, origin=origin)
    if frame.empty:
        return pd.DataFrame()
    # shifts are hours of the incident's own local day (a US city's night shift is its night, not London's)
    timed = (frame["time_precision"] == Incident.Precision.MINUTE).mean() >= 0.5
    shifts = SHIFTS if timed else ALL_DAY
    shift = _shift_of(frame["local_hour"], shifts) if timed else "all-day"
    days = _days_covered(pd.DatetimeIndex(pd.to_datetime(frame["local_date"])), timed)
    table = pd.crosstab(_sub_area(frame), pd.Series(shift, index=frame.index)) / days
    return _scaled_to_forecast(table.reindex(columns=list(shifts), fill_value=0.0), borough_code, basis)


def _days_covered(days: pd.DatetimeIndex, timed: bool) -> float:
    """Local days the records span: whole months for month-precision data (all stamped on the 1st)."""
    if timed:
        return max((days.max() - days.min()).days + 1, 1)
    months = days.to_period("M").unique()
    return float(sum(month.days_in_month for month in months))


def _scaled_to_forecast(table: pd.DataFrame, borough_code: str, basis: str) -> pd.DataFrame:
    forecast = (
        DemandForecast.objects.filter(area_code=borough_code, granularity="day", kind=basis)
        .order_by("-created_at")
        .first()
    )
    if forecast is None or not forecast.points or table.values.sum() == 0:
        return table
    daily = float(np.mean([point["yhat"] for point in forecast.points]))
    return table * (daily / table.values.sum())


def deployment_plan_propose(
    *,
    borough_code: str,
    basis: str = "call",
    origin: str = REPORTED,
    units: dict[str, int] | None = None,
    min_cover: int = 0,
    max_imbalance: float = 3.0,
) -> DeploymentPlan | None:
    """Solve and store a proposed plan for one BCU; None when it has no demand data."""
    table = shift_demand(borough_code=borough_code, basis=basis, origin=origin)
    if table.empty:
        return None
    shifts = list(table.columns)
    units = units or {shift: UNITS_PER_SHIFT[shift] for shift in shifts}
    problem = allocation.Problem(
        areas=[str(code) for code in table.index],
        shifts=shifts,
        demand=table.to_numpy(dtype=float),
        units=np.array([units[shift] for shift in shifts]),
        min_cover=min_cover,
        max_imbalance=max_imbalance,
    )
    solution = allocation.solve(problem)
    current = _current_plan(borough_code=borough_code, problem=problem)
    metrics = allocation.plan_metrics(problem, solution.units, current)
    metrics["imbalance_bound_used"] = solution.imbalance_bound
    plan = DeploymentPlan.objects.create(
        borough_code=borough_code,
        basis=basis,
        origin_filter=origin,
        shifts=shifts,
        areas=problem.areas,
        demand=_nested(problem, problem.demand, digits=3),
        units_available=units,
        min_cover=min_cover,
        max_imbalance=max_imbalance,
        allocation=_nested(problem, solution.units),
        current=_nested(problem, current),
        metrics=metrics,
    )
    return staging.coverage_option_attach(plan=plan)


def _nested(problem: allocation.Problem, matrix: np.ndarray, digits: int | None = None) -> dict:
    def value(x):
        return round(float(x), digits) if digits is not None else int(x)

    return {
        area: {shift: value(matrix[i, j]) for j, shift in enumerate(problem.shifts)}
        for i, area in enumerate(problem.areas)
    }


def _current_plan(*, borough_code: str, problem: allocation.Problem) -> np.ndarray:
    """The accepted plan in force (on the same areas and shifts), else units in proportion to demand."""
    accepted = DeploymentPlan.objects.filter(borough_code=borough_code, state=DeploymentPlan.State.ACCEPTED).first()
    if accepted is None:
        return allocation.proportional_plan(problem.demand, problem.units)
    return np.array(
        [[accepted.allocation.get(area, {}).get(shift, 0) for shift in problem.shifts] for area in problem.areas]
    )


def plan_accept(*, plan: DeploymentPlan, user) -> DeploymentPlan:
    """A proposed plan becomes the accepted one of its BCU; the previous accepted plan is superseded (who may, and
    the audit record: analytics.services.deployment_plan_accept)."""
    if plan.state != DeploymentPlan.State.PROPOSED:
        raise ValueError(f"Plan {plan.pk} is {plan.state}; only a proposed plan can be accepted.")
    with transaction.atomic():
        DeploymentPlan.objects.filter(borough_code=plan.borough_code, state=DeploymentPlan.State.ACCEPTED).update(
            state=DeploymentPlan.State.SUPERSEDED
        )
        plan.state, plan.accepted_by, plan.accepted_at = DeploymentPlan.State.ACCEPTED, user, timezone.now()
        plan.save(update_fields=["state", "accepted_by", "accepted_at"])
    return plan


def bias_report_create(*, plans: list[DeploymentPlan], seed: int = 0) -> BiasReport:
    """Units vs reported demand by IMD decile of the plans' areas (one BCU's plan, or every BCU's for the force),
    plus the feedback-loop simulation on their demand."""
    rows = [_area_share(plan, area) for plan in plans for area in plan.areas]
    deciles = area_deciles(codes=[row.code for row in rows], boroughs=sorted({plan.borough_code for plan in plans}))
    rows = [
        fairness.AreaShare(code=row.code, decile=deciles.get(row.code), demand=row.demand, units=row.units)
        for row in rows
    ]
    table = fairness.by_decile(rows)
    rates = np.array([row.demand for row in rows]) * 7  # a week of demand per simulated period
    feedback = fairness.feedback_simulation(
        rates=rates, patrolled=max(1, round(len(rows) * PATROLLED_SHARE)), seed=seed
    )
    single = plans[0] if len(plans) == 1 else None
    return BiasReport.objects.create(
        borough_code=single.borough_code if single else "",
        plan=single,
        by_decile=table,
        by_area=[row.__dict__ for row in rows],
        feedback=feedback,
        summary=fairness.disparity(table) | {"drift": feedback["drift"], "areas_with_decile": len(deciles)},
    )


def area_deciles(*, codes: list[str], boroughs: list[str]) -> dict[str, int]:
    """IMD 2019 decile per area: an LSOA's own; a beat, neighborhood or other area the population-weighted mean
    decile of the LSOAs it overlaps (rounded). Overlap is read from the H3 cells where the area's incidents and the
    LSOAs' incidents fall, within the plans' boroughs. Areas outside England (no IMD) have none."""
    known = Deprivation.objects.filter(imd_decile__isnull=False)
    deciles = dict(known.filter(lsoa_code__in=codes).values_list("lsoa_code", "imd_decile"))
    others = [code for code in codes if code not in deciles]
    if not others:
        return deciles
    in_boroughs = Incident.objects.filter(borough_id__in=boroughs)
    area_cells = _pairs(in_boroughs, others, ("post_id", "neighborhood_id"))
    cell_lsoas = _pairs(in_boroughs.filter(lsoa_id__isnull=False), None, ("lsoa_id",), keyed_by_cell=True)
    lsoa_deciles = dict(known.filter(borough_code__in=boroughs).values_list("lsoa_code", "imd_decile"))
    residents = populations()
    for code, cells in area_cells.items():
        weights = defaultdict(float)
        for cell in cells:
            for lsoa in cell_lsoas.get(cell, ()):
                if lsoa in lsoa_deciles:
                    weights[lsoa] += residents.get(lsoa, 1)
        if weights:
            mean = sum(lsoa_deciles[lsoa] * weight for lsoa, weight in weights.items()) / sum(weights.values())
            deciles[code] = round(mean)
    return deciles


def _pairs(incidents, codes, fields: tuple[str, ...], *, keyed_by_cell: bool = False) -> dict[str, set[str]]:
    """{area code: its H3 cells} of the given area fields (only `codes`), or {cell: area codes} when keyed by cell."""
    pairs = defaultdict(set)
    for field in fields:
        rows = incidents.filter(**{f"{field}__in": codes}) if codes is not None else incidents
        for area, cell in rows.filter(h3_cell__gt="").values_list(field, "h3_cell").distinct().order_by():
            key, value = (cell, area) if keyed_by_cell else (area, cell)
            if area:
                pairs[key].add(value)
    return pairs


def _area_share(plan: DeploymentPlan, area: str) -> fairness.AreaShare:
    demand, units = sum(plan.demand[area].values()), sum(plan.allocation[area].values())
    return fairness.AreaShare(code=area, decile=None, demand=demand, units=units)


def deployment_plans_refresh(*, basis: str = "call") -> list[int]:
    """A proposed plan and its bias report for every BCU with recent demand, and a force-wide bias report across
    all of them (where fixed BCU strengths meet unequal demand); ids of the plans."""
    boroughs = Incident.objects.filter(kind=basis).exclude(borough_id=None).values_list("borough_id", flat=True)
    proposed = [deployment_plan_propose(borough_code=code, basis=basis) for code in sorted(set(boroughs.distinct()))]
    plans = [plan for plan in proposed if plan is not None]
    for plan in plans:
        bias_report_create(plans=[plan])
    if len(plans) > 1:
        bias_report_create(plans=plans)
    return [plan.pk for plan in plans]
