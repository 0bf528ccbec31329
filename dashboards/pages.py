"""What each dashboard shows: panels assembled from stored analytics results into charts, tiles, tables and map
layers. A page's context is cached per scope, filters and data generation, so a refresh shows at once."""

from collections import defaultdict
from datetime import date
from functools import lru_cache

import numpy as np
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.safestring import mark_safe

from analytics import selectors as analytics_selectors
from analytics.cache import generation, live_version, viewer_key
from analytics.correlation import OVERALL as OVERALL_DOMAIN
from analytics.models import DailyCount, HourWeekdayCount
from crimedash.response_cache import cached_value, csrf_placeholder
from dashboards import forecasting, maps, selectors
from dashboards.figures import (
    bar_chart,
    heatmap_chart,
    line_chart,
    scatter_chart,
    sparkline,
    stacked_lines_chart,
)
from dashboards.filters import DashboardFilters, filters_to_query, filters_with
from ingestion.models import Incident

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
TOP_CATEGORIES = 6


def page_context(*, page: str, user, filters: DashboardFilters) -> dict:
    """Everything a page shows from stored results (the exports read this too)."""
    return cached_value(cache_key("context", page=page, user=user, filters=filters),
                   lambda: BUILDERS[page](user=user, filters=filters))  # fmt: skip


def page_body(*, page: str, user, filters: DashboardFilters, request) -> str:
    """The page body as HTML, each part kept per scope, role, filters and data generation (a repeated view costs a
    cache read or two): the stored-results part, and for the live pages the live part (feed, alerts and plan; the
    incident list) under the live version as well, which a change of those rows bumps. Forms in it carry the CSRF
    placeholder, which the view's answer fills (crimedash.response_cache)."""
    if page == "incidents":
        return _live_part(page=page, user=user, filters=filters, request=request)
    key = cache_key("html", page=page, user=user, filters=filters)
    body = cached_value(key, lambda: render_to_string(
        f"dashboards/{page}_body.html", page_context(page=page, user=user, filters=filters), request=request
    ))  # fmt: skip
    if page == "tactical":
        body = _live_part(page=page, user=user, filters=filters, request=request) + body
    return mark_safe(body)  # noqa: S308 - every part is our own template, escaped when rendered


def _live_part(*, page: str, user, filters: DashboardFilters, request) -> str:
    cursor = request.GET.get("after", "")
    key = f"{cache_key('live', page=page, user=user, filters=filters)}:{live_version()}:{cursor}"
    return mark_safe(cached_value(key, lambda: LIVE_RENDERERS[page](filters=filters, request=request)))  # noqa: S308


def _tactical_live_html(*, filters: DashboardFilters, request) -> str:
    context = {**_live_context(user=request.user, filters=filters), **csrf_placeholder()}
    return render_to_string("dashboards/_tactical_live.html", context, request=request)


def _incident_list_html(*, filters: DashboardFilters, request) -> str:
    result = selectors.incident_page(user=request.user, filters=filters, cursor=request.GET.get("after", ""))
    context = {"incidents": result["rows"], "next_cursor": result["next_cursor"], "query": filters_to_query(filters)}
    return render_to_string("dashboards/incidents_body.html", context, request=request)


LIVE_RENDERERS = {"tactical": _tactical_live_html, "incidents": _incident_list_html}


def filter_form(*, user) -> dict:
    key = cache_key("form", page="", user=user, filters=DashboardFilters())
    return cached_value(
        key, lambda: {"area_options": selectors.area_options(user=user), **selectors.filter_choices(user=user)}
    )


def filter_form_html(*, user, filters: DashboardFilters) -> str:
    """The filter form as HTML with the chosen values selected: a few hundred options, rendered once per scope and
    filters (it holds no per-request token)."""
    key = cache_key("form-html", page="", user=user, filters=filters)
    context = lambda: {"filters": filters, "kind_choices": Incident.Kind.choices, **filter_form(user=user)}  # noqa: E731
    return mark_safe(cached_value(key, lambda: render_to_string("dashboards/_filters.html", context())))  # noqa: S308


def cache_key(part: str, *, page: str, user, filters: DashboardFilters) -> str:
    # Role and scope decide what the same URL shows (rows, small counts, links), so both are in the key.
    return f"dash:{part}:{page}:{viewer_key(user=user)}:{generation()}:{filters_to_query(filters)}"


def with_default_period(filters: DashboardFilters) -> DashboardFilters:
    """With no dates chosen, show the three years up to the latest month with data of the filters' kinds."""
    if filters.date_from or filters.date_to:
        return filters
    last = selectors.latest_month(kinds=filters.kinds)
    if last is None:
        return filters
    months = last.year * 12 + last.month - 36
    return filters_with(filters, date_from=date(months // 12, months % 12 + 1, 1))


def _live_context(*, user, filters: DashboardFilters) -> dict:
    """Parts of the tactical page that must never be cached: the live feed, open alerts, the plan to accept."""
    return {
        "latest": selectors.incidents_latest(user=user, filters=filters),
        "deployment": forecasting.deployment_panel(user=user),
        "feed_url": _dispatch_feed_url(),
        "alerts": selectors.open_alerts(user=user),
    }


DISPATCH_FEED_PATH = "/api/dispatch/recent/"


@lru_cache(maxsize=1)
def _dispatch_feed_url() -> str:
    # The ingestion app serves the live feed (`?since=ISO`, scoped); where it is not installed, the page does not poll.
    try:
        resolve(DISPATCH_FEED_PATH)
    except Resolver404:
        return ""
    return DISPATCH_FEED_PATH


# --- charts from rollups ---------------------------------------------------------------------------------------


def _month_label(value) -> str:
    return value.strftime("%Y-%m")


def _drill(**params) -> str:
    return filters_to_query(DashboardFilters(), **params)


def _month_drill(month: date, **params) -> str:
    from calendar import monthrange

    end = month.replace(day=monthrange(month.year, month.month)[1])
    return _drill(**params, date_from=month.isoformat(), date_to=end.isoformat())


def area_comparison_chart(*, user, filters: DashboardFilters, chart_id="areas", title="Incidents by borough / BCU"):
    rows = selectors.rollup_totals(user=user, filters=filters, by=("area_code",))
    rows.sort(key=lambda row: row["total"] or 0, reverse=True)
    names = selectors.area_names(row["area_code"] for row in rows)
    return bar_chart(
        chart_id,
        title,
        labels=[names.get(row["area_code"], row["area_code"] or "Unknown") for row in rows],
        values=[row["total"] for row in rows],
        drill=[_drill(area=row["area_code"]) for row in rows],
    )


def category_trend_chart(
    *, user, filters: DashboardFilters, chart_id="trends", title="Monthly trend by category", rows=None
):
    if rows is None:
        rows = selectors.rollup_totals(user=user, filters=filters, by=("month", "category"))
    totals = defaultdict(int)
    for row in rows:
        totals[row["category"]] += row["total"] or 0
    top = sorted(totals, key=totals.get, reverse=True)[:TOP_CATEGORIES]
    months = sorted({row["month"] for row in rows})
    grid = {category: dict.fromkeys(months, 0) for category in top}
    for row in rows:
        if row["category"] in grid:
            grid[row["category"]][row["month"]] = row["total"]
    series = {category: [grid[category][month] for month in months] for category in top}
    drill = {category: [_month_drill(month, category=category) for month in months] for category in top}
    return line_chart(chart_id, title, x=[_month_label(m) for m in months], series=series, drill=drill)


def _in_zones(title: str, *, user, filters: DashboardFilters, model) -> str:
    """A chart of hours or days says whose clock it reads: each source's own."""
    zones = selectors.source_zones(user=user, filters=filters, model=model)
    if len(zones) > 1:
        return f"{title}, local time of each source ({', '.join(zones)})"
    return f"{title}, {zones[0]} time" if zones else title


def hour_weekday_chart(*, user, filters: DashboardFilters, months: int = 3):
    window = selectors.recent_window(filters, months, model=HourWeekdayCount)  # timed data may end earlier
    rows = selectors.rollup_totals(user=user, filters=window, by=("weekday", "hour"), model=HourWeekdayCount)
    matrix = [[0] * 24 for _ in WEEKDAYS]
    for row in rows:
        matrix[row["weekday"] - 1][row["hour"]] = row["total"]
    title = "Incidents by hour and weekday"
    if window.date_from and window.date_to:
        title += f", {window.date_from:%b %Y} to {window.date_to:%b %Y}"
    title = _in_zones(title, user=user, filters=window, model=HourWeekdayCount)
    chart = heatmap_chart("hour-weekday", title, x=[f"{h:02d}" for h in range(24)], y=WEEKDAYS, z=matrix)
    chart["empty"] = not rows
    return chart


# --- strategic ---------------------------------------------------------------------------------------------------


KPI_TILES = [
    ("recorded", "Recorded crime", "{:,.0f}"),
    ("rate", "Rate per 1,000 residents", "{:,.1f}"),
    ("change", "Change on last year", "{:+.1f}%"),
    ("resolution_rate", "Resolution rate", "{:.1f}%"),
    ("per_officer", "Crimes per officer", "{:,.1f}"),
    ("budget_per_crime", "Budget per crime", "£{:,.0f}"),
]
# kpi_summary keys of the tiles measured over the latest 12 months against the 12 before
ROLLING = {"recorded": "recorded", "rate": "rate_per_1000", "change": "change_on_last_year",
           "resolution_rate": "resolution_rate"}  # fmt: skip


def kpi_summary_12_months(*, user, filters: DashboardFilters) -> dict:
    """The headline figures cover the 12 months up to the end of the chosen period, whatever its length."""
    return analytics_selectors.kpi_summary(user=user, filters=filters_with(filters, date_from=None))


def kpi_tiles(metric_rows, summary: dict) -> list[dict]:
    """Crime, rate, change and resolution over the latest 12 months (so a year still running is never compared
    with a whole one), with monthly sparklines; officers and budget from the latest resources year."""
    by_key = {kpi["key"]: kpi for kpi in summary.get("kpis", [])}
    if not by_key:
        return []
    months = [_month_label(date.fromisoformat(month)) for month in summary["months"]]
    values = {tile: by_key[key]["value"] for tile, key in ROLLING.items()}
    series = {tile: by_key[key]["series"] for tile, key in ROLLING.items()}
    if values["resolution_rate"] is not None:
        values["resolution_rate"] *= 100
        series["resolution_rate"] = [v * 100 if v is not None else None for v in series["resolution_rate"]]
    values.update(_resource_ratios(metric_rows, recorded=values["recorded"]))
    period = f"{months[0]} to {months[-1]}"
    return [
        _tile(key, label, pattern, values[key], months, series.get(key), period) for key, label, pattern in KPI_TILES
    ]


def _resource_ratios(metric_rows, *, recorded) -> dict:
    latest_year = max((row.year for row in metric_rows), default=None)
    latest = [row for row in metric_rows if row.year == latest_year]
    return {
        "per_officer": _ratio(recorded, _sum(latest, "officers")),
        "budget_per_crime": _ratio(_sum(latest, "budget_gbp"), recorded),
    }


def _tile(key: str, label: str, pattern: str, value, months: list[str], series: list | None, period: str) -> dict:
    points = series or []
    return {
        "key": key,
        "spark_id": f"spark-{key}",
        "label": label,
        "value": pattern.format(value) if value is not None else "–",
        "period": period if series else f"{period}, latest resources year",
        "series": [{"year": month, "value": v} for month, v in zip(months, points, strict=False)],
        "sparkline": sparkline(months, [v if v is not None else 0 for v in points]) if series else None,
    }


def _sum(rows, attribute: str):
    values = [getattr(row, attribute) for row in rows if getattr(row, attribute) is not None]
    return sum(values) if values else None


def _ratio(numerator, denominator, scale: float = 1.0):
    return round(float(numerator) / float(denominator) * scale, 2) if numerator is not None and denominator else None


def efficiency_table(metric_rows) -> list[dict]:
    latest = {}
    for row in metric_rows:
        latest[row.area_code] = row
    names = selectors.area_names(latest)
    return [
        {"code": code, "name": names.get(code, code), "row": row}
        for code, row in sorted(latest.items(), key=lambda item: names.get(item[0], item[0]))
    ]


def strategic_filters(filters: DashboardFilters) -> DashboardFilters:
    """The strategic view and briefing show recorded crime unless a kind is chosen: calls and stops would swell its
    trends, and a live feed running into the current month would end every crime line in a false fall to zero."""
    filters = filters if filters.kinds else filters_with(filters, kinds=(Incident.Kind.CRIME,))
    return with_default_period(filters)


def strategic(*, user, filters: DashboardFilters) -> dict:
    filters = strategic_filters(filters)
    metrics = selectors.strategic_metric_rows(user=user, filters=filters)
    charts = [
        area_comparison_chart(user=user, filters=filters),
        category_trend_chart(user=user, filters=filters, title="Three-year trend by category"),
    ]
    return {
        "kpis": kpi_tiles(metrics, kpi_summary_12_months(user=user, filters=filters)),
        "charts": charts,
        "efficiency": efficiency_table(metrics),
        "map_layers": maps.choropleth_layers(user=user, filters=filters),
        **forecasting.analytical_forecasting(user=user),
        "has_data": any(not chart["empty"] for chart in charts) or bool(metrics),
    }


# --- tactical ----------------------------------------------------------------------------------------------------


def tactical(*, user, filters: DashboardFilters) -> dict:
    calls = calls_panels(user=user, filters=filters)
    filters = with_default_period(filters)
    charts = [hour_weekday_chart(user=user, filters=filters)]
    return {
        "charts": charts,
        "calls": calls,
        "map_layers": maps.tactical_layers(user=user, filters=filters),
        "has_data": any(not chart["empty"] for chart in charts + calls),
    }


# --- calls for service -------------------------------------------------------------------------------------------

CALL_LEVELS = [("neighborhood", "neighborhood"), ("zip", "ZIP code"), ("borough", "district")]
OVERDOSE = "overdose"


def calls_panels(*, user, filters: DashboardFilters) -> list[dict]:
    """Calls for service over the three years up to the latest month of calls, unless dates are chosen."""
    calls = with_default_period(filters_with(filters, kinds=("call",)))
    # every month to the period's end, read once: the year-on-year shift needs the years before the period
    history = selectors.rollup_totals(user=user, filters=filters_with(calls, date_from=None), by=("month", "category"))
    start = calls.date_from.replace(day=1) if calls.date_from else None
    period = [row for row in history if start is None or row["month"] >= start]
    charts = [category_trend_chart(user=user, filters=calls, chart_id="calls-type", title="Calls by type per month",
                                   rows=period)]  # fmt: skip
    for level, label in CALL_LEVELS:
        charts.append(_calls_by_level(user=user, filters=calls, level=level, label=label))
    charts.extend(overdose_charts(user=user, filters=filters_with(calls, categories=(OVERDOSE,))))
    charts.append(year_shift_chart(user=user, filters=calls, rows=history))
    charts.append(priority_chart(user=user, filters=calls))
    return charts


def _calls_by_level(
    *, user, filters: DashboardFilters, level: str, label: str, limit: int = 15, prefix: str = "calls", title="Calls"
) -> dict:
    rows = selectors.rollup_totals(user=user, filters=filters, by=("area_code",), level=level)
    rows = sorted(rows, key=lambda row: row["total"] or 0, reverse=True)[:limit]
    names = selectors.area_names(row["area_code"] for row in rows)
    return bar_chart(
        f"{prefix}-{level}",
        f"{title} by {label} (top {limit})",
        labels=[names.get(row["area_code"], row["area_code"]) for row in rows],
        values=[row["total"] for row in rows],
        value_label="Calls",
        drill=[_drill(area=row["area_code"], kind="call") for row in rows],
        horizontal=True,
    )


def _bucket_totals(rows, bucket) -> dict:
    """Totals per bucket; a bucket whose every count the small-count guard hid stays hidden (None), not 0."""
    parts = defaultdict(list)
    for row in rows:
        parts[bucket(row)].append(row["total"])
    visible = {key: [value for value in values if value is not None] for key, values in parts.items()}
    return {key: sum(values) if values else None for key, values in visible.items()}


def overdose_charts(*, user, filters: DashboardFilters) -> list[dict]:
    monthly = selectors.rollup_totals(user=user, filters=filters, by=("month",))
    by_year = _bucket_totals(monthly, lambda row: row["month"].year)
    daily = selectors.daily_totals(user=user, filters=filters, by=("day",))
    by_day = _bucket_totals(daily, lambda row: row["day"].weekday())
    weekday = [by_day.get(day, 0) for day in range(7)]
    drill = _drill(category=OVERDOSE, kind="call")
    return [
        line_chart(
            "overdose-month",
            "Overdose calls per month",
            x=[_month_label(row["month"]) for row in monthly],
            series={"Overdose calls": [row["total"] for row in monthly]},
            drill={"Overdose calls": [_month_drill(row["month"], category=OVERDOSE, kind="call") for row in monthly]},
        ),
        bar_chart(
            "overdose-year",
            "Overdose calls per year",
            labels=[str(y) for y in by_year],
            values=list(by_year.values()),
            value_label="Calls",
            drill=[drill] * len(by_year),
        ),
        _with_empty(
            bar_chart(
                "overdose-weekday",
                _in_zones("Overdose calls by weekday", user=user, filters=filters, model=DailyCount),
                labels=WEEKDAYS,
                values=weekday,
                value_label="Calls",
                drill=[drill] * 7,
            ),
            not daily,
        ),
        _calls_by_level(
            user=user,
            filters=filters,
            level="neighborhood",
            label="neighborhood",
            limit=10,
            prefix=OVERDOSE,
            title="Overdose calls",
        ),
    ]


def _with_empty(chart: dict, empty: bool) -> dict:
    chart["empty"] = empty
    return chart


def year_shift_chart(*, user, filters: DashboardFilters, rows=None) -> dict:
    """Each category's share of calls in the latest year against the year before, in percentage points."""
    if rows is None:
        rows = selectors.rollup_totals(
            user=user, filters=filters_with(filters, date_from=None), by=("month", "category")
        )
    years = sorted({row["month"].year for row in rows})[-2:]
    shares = {}
    for year in years:
        counts = defaultdict(int)
        for row in rows:
            if row["month"].year == year:
                counts[row["category"]] += row["total"] or 0
        total = sum(counts.values()) or 1
        shares[year] = {category: 100 * count / total for category, count in counts.items()}
    if len(years) < 2:
        return bar_chart("calls-shift", "Shift between call types, year on year", labels=[], values=[])
    before, after = shares[years[0]], shares[years[1]]
    change = {c: round(after.get(c, 0) - before.get(c, 0), 2) for c in set(before) | set(after)}
    ordered = sorted(change, key=change.get)
    return bar_chart(
        "calls-shift",
        f"Shift in share of calls, {years[0]} to {years[1]} (percentage points)",
        labels=ordered,
        values=[change[c] for c in ordered],
        value_label="Change in share (pp)",
        drill=[_drill(category=c, kind="call") for c in ordered],
        horizontal=True,
    )


def priority_chart(*, user, filters: DashboardFilters) -> dict:
    rows = selectors.daily_totals(user=user, filters=filters, by=("priority",))
    rows.sort(key=lambda row: row["total"] or 0, reverse=True)
    return bar_chart(
        "calls-priority",
        "Priority mix of calls",
        labels=[row["priority"] or "Not given" for row in rows],
        values=[row["total"] for row in rows],
        value_label="Calls",
    )


# --- analytical --------------------------------------------------------------------------------------------------


def _least_squares(x: list[float], y: list[float]) -> tuple[float, float] | None:
    pairs = [(a, b) for a, b in zip(x, y, strict=True) if a is not None and b is not None]
    if len(pairs) < 2:
        return None
    slope, intercept = np.polyfit([a for a, _ in pairs], [b for _, b in pairs], 1)
    return float(slope), float(intercept)


def deprivation_panel(*, user) -> dict:
    """The overall IMD score against crime rate by LSOA, with every domain's Spearman rho and 95 % interval."""
    result = analytics_selectors.deprivation_correlation(user=user)
    domains = {row["domain"]: row for row in result["domains"]}
    main = OVERALL_DOMAIN if OVERALL_DOMAIN in domains else next(iter(domains), None)
    points = [p for p in result["points"].get(main, []) if p.get("y") is not None]
    x, y = [p["x"] for p in points], [p["y"] for p in points]
    stats = domains.get(main)
    title = "Deprivation and crime rate by LSOA"
    if stats and stats["rho"] is not None:
        title += f" (Spearman rho {stats['rho']:.2f}, 95% CI {stats['ci_low']:.2f} to {stats['ci_high']:.2f})"
    chart = scatter_chart(
        "deprivation",
        title,
        x=x,
        y=y,
        labels=[p["lsoa"] for p in points],
        x_title=f"IMD 2019 {main or 'score'}",
        y_title="Crimes per 1,000 residents",
        fit=_least_squares(x, y),
        drill=[_drill(area=p["lsoa"]) for p in points],
    )
    return {"chart": chart, "results": result["domains"]}


def category_matrix_chart(*, user) -> dict:
    result = analytics_selectors.category_correlation(user=user)
    labels, matrix = result.get("categories", []), result.get("matrix", [])
    title = f"Category correlation across {result.get('level') or 'areas'} (Spearman)"
    return heatmap_chart("category-matrix", title, x=labels, y=labels, z=matrix, diverging=True, zmid=0)


def decomposition_chart(*, user, filters: DashboardFilters) -> dict:
    result = selectors.decomposition_for(user=user, filters=filters)
    if result is None:
        return stacked_lines_chart("decomposition", "Seasonal decomposition", x=[], panels={})
    panels = {"Observed": result.observed, "Trend": result.trend, "Seasonal": result.seasonal, "Residual": result.resid}
    names = selectors.area_names([result.area_code])
    title = f"Seasonal decomposition (STL): {names.get(result.area_code, result.area_code)}"
    return stacked_lines_chart("decomposition", title, x=result.months, panels=panels)


def analytical(*, user, filters: DashboardFilters) -> dict:
    calls = calls_panels(user=user, filters=filters)
    filters = with_default_period(filters)
    deprivation = deprivation_panel(user=user)
    charts = [
        deprivation["chart"],
        category_matrix_chart(user=user),
        decomposition_chart(user=user, filters=filters),
        area_comparison_chart(user=user, filters=filters),
    ]
    return {
        "charts": charts,
        "correlations": deprivation["results"],
        "calls": calls,
        "map_layers": maps.choropleth_layers(user=user, filters=filters),
        **forecasting.analytical_forecasting(user=user),
        "has_data": any(not chart["empty"] for chart in charts + calls),
    }


BUILDERS = {"strategic": strategic, "tactical": tactical, "analytical": analytical}
