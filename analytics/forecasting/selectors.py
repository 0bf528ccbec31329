"""Reads of stored hotspot, forecast, deployment and fairness results, for the dashboards and the API.

Every selector is keyword-only, scoped to the user (a commander sees only their BCU's cells, forecasts and plans;
force-wide roles see everything), never touches the Incident table, and returns plain dicts/lists ready for Plotly
(x/y arrays) or Leaflet (GeoJSON FeatureCollections). Results are cached under the analytics generation.
"""

from django.db.models import Q

from accounts.scoping import area_codes_visible_to
from analytics.hotspots.grid import CellGrid, Projection
from analytics.models import (
    BiasReport,
    DemandBacktest,
    DemandForecast,
    DeploymentPlan,
    HotspotBacktest,
    HotspotCell,
    HotspotRun,
)
from analytics.privacy import small_count_guard
from crimedash.caching import cache_key, cached
from crimedash.request_memo import per_request

FORCE = "force"
MAX_CELLS = 2000


def _scope_q(user, field: str = "borough_code") -> Q:
    codes = area_codes_visible_to(user=user)
    return Q() if codes is None else Q(**{f"{field}__in": sorted(codes)})


# --- hotspots --------------------------------------------------------------------------------------------------


def _run_dict(run: HotspotRun) -> dict:
    return {
        "id": run.pk,
        "method": run.method,
        "method_label": run.get_method_display(),
        "grid_kind": run.grid_kind,
        "resolution": run.resolution,
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "target_period": run.target_period.isoformat() if run.target_period else None,
        "category": run.category,
        "kind": run.kind,
        "origin_filter": run.origin_filter,
        "area_code": run.area_code,
        "params": run.params,
        "incidents": run.incidents,
        "cells_total": run.cells_total,
        "significant_count": run.significant_count,
        "created_at": run.created_at.isoformat(),
    }


def hotspot_run_list(*, user, method: str = "", category: str = "", limit: int = 20) -> list[dict]:
    """Latest hotspot runs (newest first), optionally of one method/category. Runs are force-wide metadata;
    their cells are scoped."""
    runs = HotspotRun.objects.all()
    if method:
        runs = runs.filter(method=method)
    if category:
        runs = runs.filter(category=category)
    return [_run_dict(run) for run in runs[:limit]]


def hotspot_run_latest(*, user, method: str = HotspotRun.Method.GI_STAR, category: str = "") -> dict | None:
    """The newest run of a method (and category, '' = all categories), or None."""
    runs = hotspot_run_list(user=user, method=method, category=category, limit=1)
    return runs[0] if runs else None


def hotspot_cells_geojson(
    *,
    user,
    run_id: int | None = None,
    method: str = HotspotRun.Method.GI_STAR,
    significant_only: bool = False,
    limit: int = MAX_CELLS,
) -> dict:
    """A GeoJSON FeatureCollection of a run's cells (the given run, else the latest of `method`) inside the user's
    scope: cell polygons with properties cell, value, rank, z, p, q, significant, borough_code.
    Small counts are hidden from roles without analyst access (value None, suppressed true)."""
    run = HotspotRun.objects.filter(pk=run_id).first() if run_id else HotspotRun.objects.filter(method=method).first()
    if run is None:
        return {"type": "FeatureCollection", "features": [], "run": None}
    key = cache_key("analytics:hotspot_cells_geojson", [run.pk, significant_only, limit], user=user)
    return cached(key, lambda: _cells_geojson(run, user, significant_only, limit))


def _cells_geojson(run: HotspotRun, user, significant_only: bool, limit: int) -> dict:
    cells = HotspotCell.objects.filter(_scope_q(user), run=run)
    if significant_only:
        cells = cells.filter(significant=True)
    guard = small_count_guard(user=user) if run.method == HotspotRun.Method.COUNTS else (lambda value: value)
    grid = _polygon_grid(run)
    features = [_feature(cell, grid, guard) for cell in cells.order_by("rank")[:limit]]
    return {"type": "FeatureCollection", "features": features, "run": _run_dict(run)}


def _polygon_grid(run: HotspotRun) -> CellGrid:
    """Enough of a grid to draw cells: H3 needs nothing; squares need the run's projection origin."""
    origin = run.params.get("projection", {"lat0": 0.0, "lon0": 0.0})
    return CellGrid(
        kind=run.grid_kind,
        size=run.resolution,
        cells=[],
        lat=[],
        lon=[],
        projection=Projection(lat0=origin["lat0"], lon0=origin["lon0"]),
    )


def _feature(cell: HotspotCell, grid: CellGrid, guard) -> dict:
    value = guard(cell.value)
    properties = {
        "cell": cell.cell,
        "borough_code": cell.borough_code,
        "value": value,
        "rank": cell.rank,
        "z": cell.z,
        "p": cell.p,
        "q": cell.q,
        "significant": cell.significant,
        "latitude": cell.latitude,
        "longitude": cell.longitude,
        "suppressed": value is None,
    }
    geometry = {"type": "Polygon", "coordinates": [grid.polygon(cell.cell)]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def hotspot_backtest_latest(*, user, category: str | None = None) -> dict | None:
    """The newest hotspot backtest: per method hit rate and PAI at 1/5/10 % on the test months, the baselines, the
    method chosen on the validation months (with its ratio to long-run counts and interval), and Plotly-ready bars
    {"x": methods, "y": hit rate at 5 %}."""
    backtests = HotspotBacktest.objects.all()
    if category is not None:
        backtests = backtests.filter(category=category)
    backtest = backtests.first()
    if backtest is None:
        return None
    methods = backtest.results["methods"]
    return {
        "id": backtest.pk,
        "category": backtest.category,
        "origin_filter": backtest.origin_filter,
        "grid": f"{backtest.grid_kind}-{backtest.resolution}",
        "test_from": backtest.test_from.isoformat(),
        "periods": backtest.periods,
        "cells": backtest.cells,
        "best_method": backtest.best_method,
        "chosen": backtest.results.get("chosen"),
        "hindsight": backtest.results.get("hindsight"),
        "validation_months": backtest.results.get("validation_months", []),
        "test_months": backtest.results.get("test_months", []),
        "baselines": backtest.results["baselines"],
        "methods": methods,
        "chart": {"x": list(methods), "y": [methods[name]["hit_rate"]["5"] for name in methods]},
        "created_at": backtest.created_at.isoformat(),
    }


# --- demand ----------------------------------------------------------------------------------------------------


def _forecast_dict(forecast: DemandForecast) -> dict:
    points = forecast.points
    return {
        "id": forecast.pk,
        "area_code": forecast.area_code,
        "granularity": forecast.granularity,
        "kind": forecast.kind,
        "model": forecast.model,
        "interval_level": forecast.interval_level,
        "issued_at": forecast.issued_at.isoformat(),
        "accuracy": {"mae": forecast.mae, "mape": forecast.mape, "mase": forecast.mase},
        "history": {"x": [p["start"] for p in forecast.history], "y": [p["y"] for p in forecast.history]},
        "forecast": {
            "x": [p["start"] for p in points],
            "yhat": [p["yhat"] for p in points],
            "lower": [p["lower"] for p in points],
            "upper": [p["upper"] for p in points],
        },
    }


def demand_forecast_list(*, user, granularity: str = "day", area_code: str = "", kind: str = "call") -> list[dict]:
    """Stored forecasts of one granularity (hour/day/week), one per area the user may see ('force' only for
    force-wide roles), each with history and forecast arrays and the chosen model's backtest accuracy."""
    forecasts = DemandForecast.objects.filter(granularity=granularity, kind=kind)
    codes = area_codes_visible_to(user=user)
    if codes is not None:
        forecasts = forecasts.filter(area_code__in=sorted(codes))
    if area_code:
        forecasts = forecasts.filter(area_code=area_code)
    key = cache_key("analytics:demand_forecast_list", [granularity, kind, area_code], user=user)
    return cached(key, lambda: [_forecast_dict(f) for f in forecasts.order_by("area_code")])


@per_request  # the backtest table and the context effects of one page ask it
def newest_demand_backtest(*, granularity: str, kind: str) -> DemandBacktest | None:
    return DemandBacktest.objects.filter(granularity=granularity, kind=kind).first()


def demand_backtest_latest(*, user, granularity: str = "day", kind: str = "call") -> dict | None:
    """The newest demand backtest: the force's test-fold MAE/MAPE/MASE per model, baseline, chosen, the headline
    (force level and volume-weighted over areas), and per-area test scores in scope (`chosen` marks each area's
    choice)."""
    backtest = newest_demand_backtest(granularity=granularity, kind=kind)
    if backtest is None:
        return None
    scores = backtest.scores.filter(_scope_q(user, "area_code"))
    return backtest.summary | {
        "id": backtest.pk,
        "granularity": backtest.granularity,
        "created_at": backtest.created_at.isoformat(),
        "by_area": list(
            scores.values("area_code", "model", "chosen", "mae", "mape", "mase", "coverage", "validation_mase", "folds")
        ),
    }


# --- deployment and fairness -----------------------------------------------------------------------------------


def _plan_dict(plan: DeploymentPlan) -> dict:
    return {
        "id": plan.pk,
        "borough_code": plan.borough_code,
        "basis": plan.basis,
        "origin_filter": plan.origin_filter,
        "state": plan.state,
        "shifts": plan.shifts,
        "areas": plan.areas,
        "units_available": plan.units_available,
        "min_cover": plan.min_cover,
        "max_imbalance": plan.max_imbalance,
        "demand": plan.demand,
        "allocation": plan.allocation,
        "current": plan.current,
        "metrics": plan.metrics,
        "accepted_by": plan.accepted_by.get_username() if plan.accepted_by_id else None,
        "accepted_at": plan.accepted_at.isoformat() if plan.accepted_at else None,
        "created_at": plan.created_at.isoformat(),
    }


def deployment_plan_queryset(*, user):
    """Plans of the boroughs the user may see (for views that need model instances, e.g. the accept action)."""
    return DeploymentPlan.objects.filter(_scope_q(user)).select_related("accepted_by")


def deployment_plan_list(*, user, state: str = "", limit: int = 50) -> list[dict]:
    """Plans in scope, newest first, optionally of one state (proposed/accepted/superseded)."""
    plans = deployment_plan_queryset(user=user)
    if state:
        plans = plans.filter(state=state)
    return [_plan_dict(plan) for plan in plans[:limit]]


def deployment_plan_heads(*, user, limit: int = 50) -> list[dict]:
    """Plans in scope, newest first, as their id, BCU, areas and state only: enough to choose one to show without
    decoding every plan's demand, allocation and metrics."""
    fields = ("id", "borough_code", "areas", "state")
    return list(DeploymentPlan.objects.filter(_scope_q(user)).values(*fields)[:limit])


def deployment_plan_detail(*, user, plan_id: int) -> dict | None:
    """One plan, or None when it does not exist or lies outside the user's scope (answer 404)."""
    plan = deployment_plan_queryset(user=user).filter(pk=plan_id).first()
    return _plan_dict(plan) if plan else None


def bias_report_latest(*, user, borough_code: str = "") -> dict | None:
    """The newest bias report in scope: units vs reported demand by IMD decile (Plotly bars), per-area shares and
    the feedback-loop simulation (overlap with the truly busiest areas per round, for each ranking basis)."""
    reports = BiasReport.objects.filter(_scope_q(user))
    if borough_code:
        reports = reports.filter(borough_code=borough_code)
    report = reports.first()
    if report is None:
        return None
    deciles = report.by_decile
    return {
        "id": report.pk,
        "borough_code": report.borough_code,
        "plan_id": report.plan_id,
        "by_decile": deciles,
        "chart": {
            "x": [row["decile"] for row in deciles],
            "demand_share": [row["demand_share"] for row in deciles],
            "units_share": [row["units_share"] for row in deciles],
        },
        "by_area": report.by_area,
        "feedback": report.feedback,
        "summary": report.summary,
        "created_at": report.created_at.isoformat(),
    }


# --- querysets for the API (scoped like the dict selectors above) ------------------------------------------------


def hotspot_run_queryset(*, user):
    """Runs over the whole force or over a borough the user may see."""
    return HotspotRun.objects.filter(Q(area_code="") | _scope_q(user, "area_code"))


def demand_forecast_queryset(*, user):
    """Forecasts of the areas the user may see (the force total only for force-wide roles)."""
    return DemandForecast.objects.filter(_scope_q(user, "area_code"))


def bias_report_queryset(*, user):
    return BiasReport.objects.filter(_scope_q(user))
