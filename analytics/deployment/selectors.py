"""Reads for the coverage option and the pilot evaluation: sub-area centroids, a pilot's incidents either side of its
start, and the pilot page's figures (scoped, small counts guarded)."""

import datetime as dt

import numpy as np
import pandas as pd
from django.db.models import Avg, Count, Max, Min

from analytics.deployment import evaluation
from analytics.forecasting.selectors import deployment_plan_queryset
from analytics.models import DeploymentPlan
from analytics.privacy import small_count_guard
from ingestion.models import Incident

SUB_AREA_FIELDS = ("post_id", "neighborhood_id", "lsoa_id")
TOO_FEW = "too few calls to show"
CLOSED_STATUSES = ("closed", "cleared", "resolved", "complete", "completed", "finalised")


def sub_area_field(*, borough_code: str, codes: list[str]) -> str | None:
    """Which Incident area link holds these sub-area codes (posts for calls, LSOAs for crimes)."""
    incidents = Incident.objects.filter(borough_id=borough_code)
    return next((f for f in SUB_AREA_FIELDS if incidents.filter(**{f"{f}__in": codes}).exists()), None)


def sub_area_centroids(*, borough_code: str, codes: list[str]) -> dict[str, tuple[float, float]]:
    """Mean position of each sub-area's located incidents: the staging site of that sub-area."""
    field = sub_area_field(borough_code=borough_code, codes=codes)
    if field is None:
        return {}
    rows = (
        Incident.objects.filter(borough_id=borough_code, **{f"{field}__in": codes}, latitude__isnull=False)
        .values(field)
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
        .order_by()
    )
    return {row[field]: (row["lat"], row["lon"]) for row in rows}


def pilot_incidents(*, plan: DeploymentPlan, field: str, areas: list[str], since: dt.date) -> pd.DataFrame:
    """The plan's calls in `areas` from `since`: area, local day, response minutes (on scene minus received), closed."""
    rows = Incident.objects.filter(
        borough_id=plan.borough_code, kind=plan.basis, local_date__gte=since, **{f"{field}__in": areas}
    )
    if plan.origin_filter != "all":
        rows = rows.filter(origin=plan.origin_filter)
    fields = ["area", "day", "occurred_at", "on_scene_at", "cleared_at", "outcome", "status"]
    values = rows.values_list(field, "local_date", *fields[2:]).iterator(chunk_size=20_000)
    frame = pd.DataFrame.from_records(values, columns=fields)
    if frame.empty:
        return pd.DataFrame(columns=["area", "day", "response_minutes", "closed"])
    minutes = pd.to_datetime(frame["on_scene_at"], utc=True) - pd.to_datetime(frame["occurred_at"], utc=True)
    closed = frame["cleared_at"].notna() | (frame["outcome"] != "") | frame["status"].str.lower().isin(CLOSED_STATUSES)
    return pd.DataFrame(
        {"area": frame["area"], "day": frame["day"], "response_minutes": minutes.dt.total_seconds() / 60,
         "closed": closed}
    )  # fmt: skip


def _weekly_before(*, plan: DeploymentPlan, field: str, window: evaluation.Window) -> dict[str, float]:
    """Mean weekly calls per sub-area of the BCU in the weeks before the start (the matching variable)."""
    rows = Incident.objects.filter(
        borough_id=plan.borough_code, kind=plan.basis, local_date__gte=window.first_day, local_date__lt=window.start
    ).exclude(**{f"{field}__isnull": True})
    counts = rows.values_list(field).annotate(n=Count("id")).order_by()
    return {area: n / max(window.weeks_before, 1) for area, n in counts}


def _data_span(*, plan: DeploymentPlan) -> tuple[dt.date | None, dt.date | None]:
    """The whole days the BCU's data cover: its first and last days are cut short (an export starting mid-morning,
    a feed still arriving today), so both are left out."""
    span = Incident.objects.filter(borough_id=plan.borough_code, kind=plan.basis).aggregate(
        first=Min("local_date"), last=Max("local_date")
    )
    if span["first"] is None or span["last"] is None:
        return None, None
    return span["first"] + dt.timedelta(days=1), span["last"] - dt.timedelta(days=1)


def pilot_evaluation(*, user, plan_id: int) -> dict | None:
    """The pilot page: its areas, the comparison areas and the rule that chose them, the difference-in-differences
    per metric; None when the plan is outside the user's scope or has no pilot. Counts under the threshold are
    hidden (with the figures derived from them)."""
    plan = deployment_plan_queryset(user=user).filter(pk=plan_id, pilot_start__isnull=False).first()
    if plan is None or not plan.pilot_areas:
        return None
    field = sub_area_field(borough_code=plan.borough_code, codes=plan.pilot_areas) or SUB_AREA_FIELDS[0]
    first, last = _data_span(plan=plan)
    window = evaluation.window_for(start=plan.pilot_start, first_data=first, last_data=last)
    comparison = evaluation.comparison_areas(
        weekly_before=_weekly_before(plan=plan, field=field, window=window), pilot=plan.pilot_areas
    )
    frame = pilot_incidents(plan=plan, field=field, areas=plan.pilot_areas + comparison, since=window.first_day)
    frame["group"] = np.where(frame["area"].isin(plan.pilot_areas), evaluation.PILOT, evaluation.COMPARISON)
    groups = {evaluation.PILOT: len(plan.pilot_areas), evaluation.COMPARISON: max(len(comparison), 1)}
    result = evaluation.evaluate(frame, window=window, areas_in_group=groups) if comparison else None
    return {
        "plan": plan,
        "window": window,
        "last_data": last,
        "comparison_areas": comparison,
        "result": _guarded(result, user=user),
    }


def _guarded(result: dict | None, *, user) -> dict | None:
    """Group-period call counts through the small-count guard; a hidden count hides the means built on it."""
    if result is None:
        return None
    guard = small_count_guard(user=user)
    calls = {key: guard(value) for key, value in result["calls"].items()}
    hidden = [key for key, value in calls.items() if value is None and result["calls"][key]]
    withheld = {"effect": None, "low": None, "high": None, "verdict": TOO_FEW} if hidden else {}
    metrics = {name: {**metric, **dict.fromkeys(hidden), **withheld} for name, metric in result["metrics"].items()}
    return {**result, "calls": calls, "metrics": metrics, "suppressed": bool(hidden)}


def deployment_option(*, user, plan_id: int) -> dict:
    """The coverage option and delivery status of a plan in scope, and the newest pilot in scope (for its link)."""
    plans = deployment_plan_queryset(user=user)
    plan = plans.filter(pk=plan_id).values("coverage_option", "dispatch_status", "pilot_areas", "pilot_start").first()
    pilot = plans.filter(pilot_start__isnull=False).order_by("-accepted_at").values("pk", "pilot_start").first()
    return {**(plan or {}), "pilot": pilot}
