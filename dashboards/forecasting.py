"""Panels built from analytics' forecasting results: demand forecast with its interval and measured accuracy,
demand and hotspot backtests, the bias report, and the next shift's deployment plan.

The forecast card, the backtest table and the API show one thing: each model's score on the test weeks, which come
after the validation weeks that chose it."""

from analytics import selectors as analytics_selectors
from analytics.forecasting import selectors as forecasting
from dashboards.context_effects import context_effects_panel
from dashboards.figures import grouped_bar_chart, interval_chart

FORCE_AREA = "force"
SHARES = ("1", "5", "10")
MASE_NOTE = "MASE below 1 = better than repeating last week's value"


def _percent(value) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "–"


def _number(value, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def forecast_chart(*, user) -> dict:
    forecasts = forecasting.demand_forecast_list(user=user, granularity="day")
    chosen = next((f for f in forecasts if f["area_code"] == FORCE_AREA), forecasts[0] if forecasts else None)
    if chosen is None:
        return interval_chart(
            "forecast", "Demand forecast", history_x=[], history_y=[], x=[], mean=[], lower=[], upper=[]
        )
    name = analytics_selectors.area_names([chosen["area_code"]]).get(chosen["area_code"], chosen["area_code"])
    title = (
        f"Daily calls forecast, {name}: {chosen['model']} with {chosen['interval_level']:.0%} interval; "
        f"on the test weeks {_accuracy_words(chosen['accuracy'])}"
    )
    history, ahead = chosen["history"], chosen["forecast"]
    return interval_chart(
        "forecast",
        title,
        history_x=history["x"],
        history_y=history["y"],
        x=ahead["x"],
        mean=ahead["yhat"],
        lower=ahead["lower"],
        upper=ahead["upper"],
    )


def _accuracy_words(accuracy: dict) -> str:
    """The same figures, in the same order, on the card and in the table's chosen row."""
    return (
        f"MASE {_number(accuracy.get('mase'))} ({MASE_NOTE}), MAPE {_number(accuracy.get('mape'), 1)}%, "
        f"MAE {_number(accuracy.get('mae'))}"
    )


def demand_backtest_table(*, user) -> dict:
    result = forecasting.demand_backtest_latest(user=user, granularity="day") or {}
    models, folds = result.get("models", {}), result.get("folds", {})
    rows = [
        [
            _model_label(name, result),
            _number(scores.get("mase")),
            _number(scores.get("mape"), 1),
            _number(scores.get("mae")),
        ]
        for name, scores in sorted(models.items(), key=lambda item: item[1].get("mase") or 9e9)
    ]
    return {
        "id": "demand-backtest",
        "title": (
            f"Demand forecast backtest, whole force: each model chosen on {folds.get('validation', '–')} validation "
            f"weeks, scored on the {folds.get('test', '–')} test weeks after them"
        ),
        "columns": ["Model", "MASE", "MAPE %", "MAE"],
        "rows": rows,
        "notes": _backtest_notes(result) if rows else [],
        "empty_text": (
            "No demand backtest yet: it needs 8 weeks of daily calls for service and runs with the weekly "
            "forecasting task."
        ),
    }


def _model_label(name: str, result: dict) -> str:
    marks = [mark for mark, key in (("chosen", "chosen"), ("baseline", "baseline")) if result.get(key) == name]
    return name + "".join(f" ({mark})" for mark in marks)


def _backtest_notes(result: dict) -> list[str]:
    headline, areas = result.get("headline", {}), result.get("areas", {})
    low, high = headline.get("mae_cut_interval") or [None, None]
    notes = [
        result.get("mase_note", MASE_NOTE),
        f"{headline.get('model')}: daily error {_percent(headline.get('mae_cut'))} below seasonal naive "
        f"(90% bootstrap interval over test weeks {_percent(low)} to {_percent(high)}); "
        f"{_percent(headline.get('coverage'))} of test days inside its {_percent(headline.get('interval_level'))} "
        "interval.",
    ]
    if areas.get("wape") is not None:
        spread = areas["wape_spread"]
        notes.append(
            f"Across {areas['series']} areas, each with the model its validation weeks chose, weighted by volume: "
            f"absolute error {_percent(areas['wape'])} of calls (seasonal naive {_percent(areas['baseline_wape'])}); "
            f"areas range {_percent(spread['p10'])} to {_percent(spread['p90'])} (median {_percent(spread['median'])})."
        )
    return notes


def hotspot_backtest_table(*, user) -> dict:
    result = forecasting.hotspot_backtest_latest(user=user) or {}
    chosen = result.get("chosen")
    rows = []
    for name, scores in result.get("methods", {}).items():
        hits, pai = scores.get("hit_rate", {}), scores.get("pai", {})
        label = name + (" (baseline)" if name in result.get("baselines", []) else "")
        label += (" (chosen)" if chosen else " (best on the test months)") if name == result.get("best_method") else ""
        rows.append([label, *(_percent(hits.get(p)) for p in SHARES), *(_number(pai.get(p)) for p in SHARES)])
    return {
        "id": "hotspot-backtest",
        "title": "Hotspot backtest: hit rate and PAI at 1 %, 5 % and 10 % of the area, by method, on the test months",
        "columns": ["Method", "Hit rate 1%", "Hit rate 5%", "Hit rate 10%", "PAI 1%", "PAI 5%", "PAI 10%"],
        "rows": rows,
        "notes": _hotspot_notes(result) if rows else [],
        "empty_text": "No hotspot backtest yet: it runs with the weekly forecasting task once crimes are imported.",
    }


def _hotspot_notes(result: dict) -> list[str]:
    validation, test = result.get("validation_months") or [], result.get("test_months") or []
    chosen = result.get("chosen")
    if not chosen or not validation or not test:
        return ["Too few months before the test months to choose a method first: the best is marked on the test."]
    low, high = chosen.get("ratio_interval") or [None, None]
    notes = [
        f"Parameters and method chosen on {validation[0]} to {validation[-1]}, scored on {test[0]} to {test[-1]}.",
        f"{chosen['method']}: hit rate at 5 % is {_number(chosen.get('ratio_to_long_run'))} times long-run counts' "
        f"(90% bootstrap interval over test months {_number(low)} to {_number(high)}).",
    ]
    hindsight = result.get("hindsight") or {}
    if hindsight.get("ratio_to_long_run"):
        notes.append(
            f"For reference, not a forecast: ranking each test month by the counts of every other month, later ones "
            f"included, gives {_number(hindsight['ratio_to_long_run'])} times long-run counts'."
        )
    return notes


def bias_chart(*, user) -> dict:
    report = forecasting.bias_report_latest(user=user) or {"chart": {"x": [], "demand_share": [], "units_share": []}}
    chart = report["chart"]
    figure = grouped_bar_chart(
        "bias",
        "Bias report: share of reported demand and of allocated units by deprivation decile (1 = most deprived)",
        labels=[f"Decile {decile}" if decile is not None else "No decile" for decile in chart["x"]],
        series={"Share of reported demand": chart["demand_share"], "Share of units": chart["units_share"]},
        y_title="Share",
    )
    if chart["x"] and all(decile is None for decile in chart["x"]):
        figure["note"] = (
            "None of the plan's areas has an IMD 2019 decile (deciles belong to LSOAs, imported with "
            "import_reference deprivation), so its units cannot be compared with demand across deciles."
        )
    return figure


def _plans_for_areas(plans: list[dict], areas: tuple[str, ...]) -> list[dict]:
    if not areas:
        return plans
    chosen = set(areas)
    lines = analytics_selectors.ancestry(chosen | {plan["borough_code"] for plan in plans})  # one walk up for both
    above_chosen = set().union(*(lines[code] for code in chosen))
    return [
        plan for plan in plans
        if above_chosen & {plan["borough_code"], *plan["areas"]} or chosen & lines[plan["borough_code"]]
    ]  # fmt: skip


def analytical_forecasting(*, user) -> dict:
    return {
        "forecast_charts": [forecast_chart(user=user), bias_chart(user=user)],
        "forecast_tables": [demand_backtest_table(user=user), hotspot_backtest_table(user=user)],
        "context_effects": context_effects_panel(user=user),
    }


def deployment_panel(*, user, areas: tuple[str, ...] = ()) -> dict | None:
    """The newest proposed plan in scope (else the newest plan), as rows of units per area and shift; with areas
    chosen in the filter bar, only a plan for a BCU that holds one of them, lies in one, or is one."""
    plans = _plans_for_areas(forecasting.deployment_plan_heads(user=user, limit=50 if areas else 10), areas)
    chosen = next((p for p in plans if p["state"] == "proposed"), plans[0] if plans else None)
    plan = chosen and forecasting.deployment_plan_detail(user=user, plan_id=chosen["id"])
    if not plan:
        return None
    names = analytics_selectors.area_names(plan["areas"] + [plan["borough_code"]])
    rows = [
        {
            "area": names.get(area, area),
            "units": [plan["allocation"].get(area, {}).get(shift, 0) for shift in plan["shifts"]],
            "demand": [round(plan["demand"].get(area, {}).get(shift, 0), 1) for shift in plan["shifts"]],
        }
        for area in plan["areas"]
    ]
    metrics = plan["metrics"]
    change = metrics.get("change", {})
    summary = (
        f"{names.get(plan['borough_code'], plan['borough_code'])}: expected coverage "
        f"{_percent(metrics.get('coverage'))} (current plan {_percent(change.get('coverage_before'))}), "
        f"workload Gini {_number(metrics.get('equity', {}).get('gini'))}; this plan is {plan['state']}."
    )
    return {**plan, "rows": rows, "summary": summary}
