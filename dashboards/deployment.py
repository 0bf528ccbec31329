"""The deployment card's second half and the pilot page: the demand-share plan beside the coverage plan, each with
its expected coverage, response time and workload equity (one definition for both), and a pilot's before/after
comparison with areas that kept the old allocation."""

import datetime as dt

from django.utils import timezone

from analytics.deployment import evaluation
from analytics.deployment.selectors import TOO_FEW, deployment_option
from analytics.selectors import area_names
from dashboards import forecasting

PLANS = (
    ("demand_share_plan", "Units by demand share (the table above), each staged at its area's centre"),
    ("coverage_plan", "Units staged for coverage (sites below)"),
)


def _percent(value) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "–"


def _number(value, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def deployment_card(*, user, areas: tuple[str, ...] = ()) -> dict | None:
    """forecasting.deployment_panel (the plan for the chosen areas), plus both plans' expected figures, staging
    sites, the pilot link and the dispatch delivery status."""
    panel = forecasting.deployment_panel(user=user, areas=areas)
    if panel is None:
        return None
    extra = deployment_option(user=user, plan_id=panel["id"])
    option = extra.get("coverage_option") or {}
    names = area_names(panel["areas"])
    return {
        **panel,
        "area_choices": [(code, names.get(code, code)) for code in panel["areas"]],
        "comparison": _comparison(option) if option.get("metrics") else None,
        "staging": _staging(option, names, panel["shifts"]) if option.get("metrics") else [],
        "pilot": extra.get("pilot"),
        "dispatch_status": extra.get("dispatch_status") or "",
        "default_start": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
    }


def _comparison(option: dict) -> dict:
    params, metrics = option["parameters"], option["metrics"]
    rows = [
        [label, _percent(m.get("coverage")), _number(m.get("response_minutes"), 1), _number(m.get("max_mean_load")),
         _number(m.get("gini"))]
        for key, label in PLANS
        for m in [metrics.get(key, {})]
    ]  # fmt: skip
    return {
        "columns": [
            "Plan",
            f"Expected coverage (within {params['target_minutes']} min)",
            "Expected response, min",
            "Busiest unit / mean",
            "Workload Gini",
        ],
        "rows": rows,
        "definitions": _definitions(params, option.get("unlocated_demand_share") or 0),
    }


def _definitions(params: dict, unlocated: float) -> list[str]:
    notes = [
        f"Expected coverage: share of the next shifts' forecast demand whose nearest staged unit is within "
        f"{params['target_minutes']} minutes' travel. Travel time: straight-line distance x {params['detour']:.2f} "
        f"(detour) at {params['speed_kmh']} km/h ({params['area_type']} speed); positions are the mean location of "
        "each area's calls over the last 12 weeks.",
        f"Expected response time: demand-weighted travel time from the nearest staged unit plus "
        f"{params['dispatch_delay_minutes']} minutes' dispatch delay. Both are model figures, not measured times.",
        "Workload: each area's demand goes to its nearest staged unit, shared among the units there; 'busiest unit / "
        "mean' is 1 when even, the Gini of per-unit loads 0 when equal. Across shifts: coverage and response "
        "weighted by each shift's demand, equity the worst shift's.",
        f"The coverage model (maximal covering location, HiGHS) caps each unit's covered demand at "
        f"{params['max_load_ratio']:g} x the mean per unit. Demand: reported calls per area and shift (shift hours "
        "in the source's local time), scaled to the stored daily forecast.",
    ]
    notes.append(
        "The 'expected coverage' in the first line is the allocation model's own (each unit in an area answers half "
        "of the demand the units before it left), not travel time: compare the two plans on this table."
    )
    if unlocated > 0:
        notes.append(f"{_percent(unlocated)} of demand is in areas without located calls and is left out of both.")
    return notes


def _staging(option: dict, names: dict, shifts: list[str]) -> list[dict]:
    sites = option.get("sites", {})
    return [
        {"shift": shift, "sites": [f"{names.get(area, area)} x{units}" for area, units in sites.get(shift, {}).items()]}
        for shift in shifts
    ]


def pilot_choice(post) -> dict:
    """The accept form's pilot: ticked areas and a start day (blank start: tomorrow). A bad date is a ValueError."""
    start = post.get("pilot_start", "").strip()
    return {
        "pilot_areas": post.getlist("pilot_areas"),
        "pilot_start": dt.date.fromisoformat(start) if start else None,
    }


def pilot_page(found: dict) -> dict:
    """The pilot page's rows and sentences from analytics.deployment.selectors.pilot_evaluation."""
    plan, window, result = found["plan"], found["window"], found["result"]
    names = area_names(plan.pilot_areas + found["comparison_areas"] + [plan.borough_code])
    return {
        "plan_id": plan.pk,
        "borough": names.get(plan.borough_code, plan.borough_code),
        "start": plan.pilot_start,
        "pilot_areas": [names.get(code, code) for code in plan.pilot_areas],
        "comparison_areas": [names.get(code, code) for code in found["comparison_areas"]],
        "weeks_before": window.weeks_before,
        "weeks_after": window.weeks_after,
        "first_day": window.first_day,
        "end_day": window.end_day - dt.timedelta(days=1),
        "last_data": found["last_data"],
        "headline": _headline(window, result),
        "rows": [_metric_row(metric) for metric in (result or {}).get("metrics", {}).values()],
        "calls": (result or {}).get("calls", {}),
        "min_weeks": evaluation.MIN_WEEKS_AFTER,
        "comparable_factor": evaluation.COMPARABLE_FACTOR,
    }


def _headline(window: evaluation.Window, result: dict | None) -> str:
    if result is None:
        return "No comparison areas: every other area of the BCU had no calls before the start."
    if window.weeks_after < evaluation.MIN_WEEKS_AFTER or window.weeks_before < evaluation.MIN_WEEKS_BEFORE:
        return (
            f"Not yet enough data: {window.weeks_after} whole week(s) since the start and {window.weeks_before} "
            f"before; the comparison needs {evaluation.MIN_WEEKS_AFTER} after and {evaluation.MIN_WEEKS_BEFORE} "
            "before."
        )
    measured = [
        f"{metric['label'].split(' (')[0].split(',')[0]} {metric['verdict']} by {_number(abs(metric['effect']))} "
        f"(95% interval {_number(metric['low'])} to {_number(metric['high'])})"
        for metric in result["metrics"].values()
        if metric["verdict"].endswith("in the pilot areas")
    ]
    if measured:
        return "Measured difference: " + "; ".join(measured) + ". Any other measure: see its row."
    if any(metric["verdict"] == TOO_FEW for metric in result["metrics"].values()):
        return "Too few calls in a group to show these figures to your role."
    return "No measurable difference so far: every interval spans zero."


def _metric_row(metric: dict) -> list[str]:
    digits = 3 if metric["label"].startswith("Share") else 1
    return [
        metric["label"],
        _number(metric.get("pilot_before"), digits),
        _number(metric.get("pilot_after"), digits),
        _number(metric.get("comparison_before"), digits),
        _number(metric.get("comparison_after"), digits),
        _number(metric.get("effect"), digits),
        f"{_number(metric.get('low'), digits)} to {_number(metric.get('high'), digits)}",
        metric["verdict"],
    ]
