"""URL matrix rows of the forecasting API (merged into tests/analytics/url_matrix.py)."""

import datetime as dt

from django.utils import timezone

from analytics.models import (
    BiasReport,
    DemandBacktest,
    DemandForecast,
    DeploymentPlan,
    HotspotBacktest,
    HotspotRun,
)

WESTMINSTER = "E09000033"
ROLES = ["admin", "executive", "commander", "analyst", "supervisor", "officer"]


def _row(allowed: set[str], *, granted: int = 200, kwargs=None) -> dict:
    row = {"anonymous": 403, **{role: granted if role in allowed else 403 for role in ROLES}}
    return row | ({"kwargs": kwargs} if kwargs else {})


TACTICAL = {"admin", "commander", "analyst"}
ANALYTICAL = {"admin", "analyst"}


def _run(org) -> dict:
    run = HotspotRun.objects.create(
        method="gi-star", grid_kind="h3", resolution=8, period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 2, 1)
    )
    return {"pk": run.pk}


def _hotspot_backtest(org) -> dict:
    backtest = HotspotBacktest.objects.create(
        grid_kind="square",
        resolution=250,
        test_from=dt.date(2024, 1, 1),
        periods=1,
        cells=1,
        best_method="kde",
        results={"methods": {}, "baselines": [], "periods": 1},
    )
    return {"pk": backtest.pk}


def _forecast(org) -> dict:
    forecast = DemandForecast.objects.create(
        area_code=WESTMINSTER,
        borough_code=WESTMINSTER,
        granularity="day",
        model="holt-winters",
        issued_at=timezone.now(),
        points=[],
    )
    return {"pk": forecast.pk}


def _demand_backtest(org) -> dict:
    backtest = DemandBacktest.objects.create(
        granularity="day", baseline="seasonal-naive", chosen="holt-winters", summary={}
    )
    return {"pk": backtest.pk}


def _plan(org) -> dict:
    plan = DeploymentPlan.objects.create(
        borough_code=WESTMINSTER,
        shifts=["early"],
        areas=["p"],
        demand={"p": {"early": 1.0}},
        units_available={"early": 1},
        max_imbalance=3,
        allocation={"p": {"early": 1}},
    )
    return {"pk": plan.pk}


def _bias_report(org) -> dict:
    return {"pk": BiasReport.objects.create(borough_code=WESTMINSTER, by_decile=[]).pk}


EXPECTED = {
    "hotspot-run-list": _row(TACTICAL),
    "hotspot-run-detail": _row(TACTICAL, kwargs=_run),
    "hotspot-run-cells": _row(TACTICAL, kwargs=_run),
    "hotspot-backtest-list": _row(ANALYTICAL),
    "hotspot-backtest-detail": _row(ANALYTICAL, kwargs=_hotspot_backtest),
    "demand-forecast-list": _row(TACTICAL),
    "demand-forecast-detail": _row(TACTICAL, kwargs=_forecast),
    "demand-backtest-list": _row(ANALYTICAL),
    "demand-backtest-detail": _row(ANALYTICAL, kwargs=_demand_backtest),
    "deployment-plan-list": _row(TACTICAL),
    "deployment-plan-detail": _row(TACTICAL, kwargs=_plan),
    # POST only: roles that may read plans are told the method is not allowed
    "deployment-plan-accept": _row(TACTICAL, granted=405, kwargs=_plan),
    "bias-report-list": _row(ANALYTICAL),
    "bias-report-detail": _row(ANALYTICAL, kwargs=_bias_report),
}
