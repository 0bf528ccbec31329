"""What each dashboard shows: panels assembled from stored analytics results into charts, tiles, tables and map
layers. A page's context is cached per scope, filters and data generation, so a refresh shows at once."""

from collections import defaultdict
from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

import numpy as np
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from analytics import selectors as analytics_selectors
from analytics.correlation import OVERALL as OVERALL_DOMAIN
from analytics.models import HourWeekdayCount
from analytics.temporal import STL_MIN_MONTHS, dense_series, month_range, stl_decompose
from crimedash.caching import LIVE, cache_key, cached
from crimedash.response_cache import csrf_placeholder
from dashboards import deployment, forecasting, maps, selectors
from dashboards.efficiency import AreaFigures, change_on_last_year, total_row
from dashboards.figures import (
    bar_chart,
    heatmap_chart,
    line_chart,
    scatter_chart,
    sparkline,
    stacked_lines_chart,
)
from dashboards.filters import DashboardFilters, drill_query, filters_to_query, filters_with
from dashboards.glossary import definition
from dashboards.labels import category_label, domain_label, source_label
from dashboards.response_times import response_times_panels
from ingestion.localtime import source_zone
from ingestion.models import Incident

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
TOP_CATEGORIES = 6


def page_context(*, page: str, user, filters: DashboardFilters) -> dict:
    """Everything a page shows from stored results (the exports read this too)."""
    return cached(page_key("context", page=page, user=user, filters=filters),
                   lambda: BUILDERS[page](user=user, filters=filters))  # fmt: skip


def page_body(*, page: str, user, filters: DashboardFilters, request) -> str:
    """The page body as HTML, each part kept per scope, role, filters and data generation (a repeated view costs a
    cache read or two): the stored-results part, and for the live pages the live part (feed, alerts and plan; the
    incident list) under the live version as well, which a change of those rows bumps. Forms in it carry the CSRF
    placeholder, which the view's answer fills (crimedash.response_cache)."""
    if page == "incidents":
        return _live_part(page=page, user=user, filters=filters, request=request)
    key = page_key("html", page=page, user=user, filters=filters)
    body = cached(key, lambda: render_to_string(
        f"dashboards/{page}_body.html", page_context(page=page, user=user, filters=filters), request=request
    ))  # fmt: skip
    if page == "tactical":
        body = _live_part(page=page, user=user, filters=filters, request=request) + body
    return mark_safe(body)  # noqa: S308 - every part is our own template, escaped when rendered


def _live_part(*, page: str, user, filters: DashboardFilters, request) -> str:
    cursor = request.GET.get("after", "")
    key = page_key("live", page=page, user=user, filters=filters, extra=cursor, live=True)
    return mark_safe(cached(key, lambda: LIVE_RENDERERS[page](filters=filters, request=request)))  # noqa: S308


def _tactical_live_html(*, filters: DashboardFilters, request) -> str:
    context = {**_live_context(user=request.user, filters=filters), **csrf_placeholder()}
    return render_to_string("dashboards/_tactical_live.html", context, request=request)


def _incident_list_html(*, filters: DashboardFilters, request) -> str:
    result = selectors.incident_page(user=request.user, filters=filters, cursor=request.GET.get("after", ""))
    context = {"incidents": result["rows"], "next_cursor": result["next_cursor"], "query": filters_to_query(filters)}
    context.update(total=selectors.incident_total(user=request.user, filters=filters), period=period_label(filters))
    return render_to_string("dashboards/incidents_body.html", context, request=request)


LIVE_RENDERERS = {"tactical": _tactical_live_html, "incidents": _incident_list_html}


def filter_form(*, user) -> dict:
    key = page_key("form", page="", user=user, filters=DashboardFilters())
    return cached(
        key, lambda: {"area_options": selectors.area_options(user=user), **selectors.filter_choices(user=user)}
    )


def filter_form_html(*, user, filters: DashboardFilters) -> str:
    """The filter form as HTML with the chosen values selected: a few hundred options, rendered once per scope and
    filters (it holds no per-request token)."""
    key = page_key("form-html", page="", user=user, filters=filters)
    context = lambda: {"filters": filters, "kind_choices": Incident.Kind.choices, **filter_form(user=user)}  # noqa: E731
    return mark_safe(cached(key, lambda: render_to_string("dashboards/_filters.html", context())))  # noqa: S308


def page_filters(*, page: str, filters: DashboardFilters) -> DashboardFilters:
    """The filters in force on a page, its default period filled in, for the filter bar to show."""
    if page == "strategic":
        return strategic_filters(filters)
    return filters if page == "incidents" else analytics_selectors.period_in_force(filters)


def page_key(part: str, *, page: str, user, filters: DashboardFilters, extra: str = "", live: bool = False) -> str:
    """The viewer's scope and permissions decide what the same URL shows (rows, small counts, buttons)."""
    parts = [filters_to_query(filters), extra]
    return cache_key(f"dash:{part}:{page}", parts, user=user, versions=(LIVE,) if live else ())


def _live_context(*, user, filters: DashboardFilters) -> dict:
    """Parts of the tactical page that must never be cached: the live feed, open alerts, the plan to accept."""
    return {
        "latest": selectors.incidents_latest(user=user, filters=filters),
        "deployment": deployment.deployment_card(user=user, areas=filters.areas),
        "deployment_areas": filters.areas,
        "filtered": bool(filters_to_query(filters)),
        "feed_url": _dispatch_feed_url(),
        "alerts": selectors.open_alerts(user=user),
        "alert_history": selectors.alert_history(user=user),
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


def _month_drill(month: date, **params) -> str:
    from calendar import monthrange

    end = month.replace(day=monthrange(month.year, month.month)[1])
    return drill_query(**params, date_from=month.isoformat(), date_to=end.isoformat())


def area_comparison_chart(*, user, filters: DashboardFilters, chart_id="areas", title="Incidents by borough / BCU"):
    rows = analytics_selectors.rollup_totals(user=user, filters=filters, by=("area_code",))
    rows.sort(key=lambda row: row["total"] or 0, reverse=True)
    names = analytics_selectors.area_names(row["area_code"] for row in rows)
    return bar_chart(
        chart_id,
        title,
        labels=[names.get(row["area_code"], row["area_code"] or "Unknown") for row in rows],
        values=[row["total"] for row in rows],
        drill=[drill_query(area=row["area_code"]) for row in rows],
    )


def category_trend_chart(*, user, filters: DashboardFilters, chart_id="trends", title="Monthly trend by category"):
    rows = analytics_selectors.rollup_totals(user=user, filters=filters, by=("month", "category"))
    return _category_trend(rows, chart_id=chart_id, title=title)


def _category_trend(rows: list[dict], *, chart_id: str, title: str) -> dict:
    totals = defaultdict(int)
    for row in rows:
        totals[row["category"]] += row["total"] or 0
    top = sorted(totals, key=totals.get, reverse=True)[:TOP_CATEGORIES]
    months = sorted({row["month"] for row in rows})
    grid = {category: dict.fromkeys(months, 0) for category in top}
    for row in rows:
        if row["category"] in grid:
            grid[row["category"]][row["month"]] = row["total"]
    series = {category_label(c): [grid[c][month] for month in months] for c in top}
    drill = {category_label(c): [_month_drill(month, category=c) for month in months] for c in top}
    return line_chart(chart_id, title, x=[_month_label(m) for m in months], series=series, drill=drill)


def _in_zones(title: str, *, sources: list[str]) -> str:
    """A chart of hours or days says whose clock it reads: each source's own."""
    zones = selectors.chart_zones(sources)
    if len(zones) > 1:
        return f"{title}, local time of each source ({', '.join(zones)})"
    return f"{title}, {zones[0]} time" if zones else title


def hour_weekday_chart(*, user, filters: DashboardFilters, months: int = 3):
    window = selectors.recent_window(filters, months, model=HourWeekdayCount)  # timed data may end earlier
    # no end means no timed incidents of these kinds at all: nothing to sum
    timed = window.date_to is not None
    model = analytics_selectors.hour_weekday_rollup(window)
    rows, sources = selectors.hour_weekday_cells(user=user, filters=window, model=model) if timed else ([], [])
    matrix = [[0] * 24 for _ in WEEKDAYS]
    for row in rows:
        matrix[row["weekday"] - 1][row["hour"]] = row["total"]
    title = "Incidents by hour and weekday"
    if window.date_from and window.date_to:
        title += f", {window.date_from:%b %Y} to {window.date_to:%b %Y}"
    title = _in_zones(title, sources=sources)
    chart = heatmap_chart("hour-weekday", title, x=[f"{h:02d}" for h in range(24)], y=WEEKDAYS, z=matrix)
    chart["empty"] = not rows
    chart["empty_reason"] = (
        "No incidents with a time of day in your areas for this period: police.uk crimes are recorded by month only, "
        "so this chart needs calls or another source with times."
    )
    return chart


# --- strategic ---------------------------------------------------------------------------------------------------

# tile key, label, format, glossary entry
KPI_TILES = [
    ("recorded", "Recorded crime", "{:,.0f}", "recorded"),
    ("rate", "Crimes per 1,000 residents", "{:,.1f}", "rate"),
    ("change", "Change on last year", "{:+.1f}%", "change"),
    ("resolution_rate", "Resolution rate", "{:.1f}%", "resolution"),
    ("per_officer", "Crimes per officer", "{:,.1f}", "per_officer"),
    ("budget_per_crime", "Budget per crime", "£{:,.0f}", "budget_per_crime"),
]
NO_COMPARISON = "Not enough comparable data"
STRATEGIC_MONTHS = 12


def figure_cells(area: AreaFigures, *, change: float | None = None) -> dict:
    """An area's figures as the page prints them: one formatting for tiles and table, so they read the same."""
    values = {
        "recorded": area.recorded,
        "rate": area.rate_per_1000,
        "change": change,
        "resolution_rate": area.resolution_rate,
        "per_officer": area.per_officer,
        "budget_per_crime": area.budget_per_crime,
    }
    cells = {key: pattern.format(values[key]) if values[key] is not None else "–" for key, _l, pattern, _h in KPI_TILES}
    cells.update(
        officers=f"{area.officers:,.0f}" if area.officers is not None else "–", all_crime=f"{area.all_crime:,}"
    )
    cells["budget"] = f"£{area.budget:,.0f}" if area.budget is not None else "–"
    if values["change"] is None:
        cells["change"] = NO_COMPARISON
    return {"code": area.code, "name": area.name, **cells}


def kpi_tiles(total: AreaFigures, *, months: list[date], figures: dict, all_crime_note: str) -> list[dict]:
    """The period's figures for the chosen areas: the total row of the efficiency table, so tiles and table agree.
    Officers and budget are set against all crime, which the tile says when a category is chosen."""
    monthly = figures["monthly"]
    cells = figure_cells(total, change=change_on_last_year(monthly, months=months, complete=figures["complete"]))
    labels = [_month_label(month) for month in months]
    spark = [monthly.get(month, 0) for month in months]
    tiles = []
    for key, label, _pattern, entry in KPI_TILES:
        tile = {"key": key, "spark_id": f"spark-{key}", "label": label, "help": entry, "definition": definition(entry)}
        tile["value"] = cells[key]
        tile["note"] = all_crime_note if key in ("per_officer", "budget_per_crime") else ""
        if key == "recorded":
            tile["series"] = [{"year": m, "value": v} for m, v in zip(labels, spark, strict=True)]
            tile["sparkline"] = sparkline(labels, spark)
        tiles.append(tile)
    return tiles


def period_months(filters: DashboardFilters) -> list[date]:
    if not (filters.date_from and filters.date_to):
        return []
    return month_range(filters.date_from.replace(day=1), filters.date_to.replace(day=1))


def period_label(filters: DashboardFilters) -> str:
    months = period_months(filters)
    if not months:
        return "all data"
    first, last = months[0], months[-1]
    return f"{last:%b %Y}" if first == last else f"{first:%b %Y} to {last:%b %Y}"


def strategic_filters(filters: DashboardFilters) -> DashboardFilters:
    """The strategic view and briefing show recorded crime unless a kind is chosen (calls and stops would swell its
    trends), over the latest 12 months of it unless dates are chosen."""
    filters = filters if filters.kinds else filters_with(filters, kinds=(Incident.Kind.CRIME,))
    return analytics_selectors.period_in_force(filters, months=STRATEGIC_MONTHS)


def strategic_summary(*, user, filters: DashboardFilters) -> dict:
    """Tiles and efficiency table of one period (the filters already carry it): the briefing shows them too."""
    months = period_months(filters)
    figures = selectors.borough_figures(user=user, filters=filters, months=months) if months else {"areas": []}
    areas = figures["areas"]
    total = total_row(areas, name="Total" if len(areas) > 1 else "All areas shown")
    note = "all crime, not only the chosen category" if filters.categories else ""
    tiles = kpi_tiles(total, months=months, figures=figures, all_crime_note=note) if areas else []
    return {
        "kpis": [{**tile, "period": period_label(filters)} for tile in tiles],
        "areas": areas,
        "efficiency": [figure_cells(area) for area in areas],
        "efficiency_total": figure_cells(total) if len(areas) > 1 else None,
        "all_crime_note": note,
    }


def strategic(*, user, filters: DashboardFilters, with_map: bool = True) -> dict:
    filters = strategic_filters(filters)
    period = period_label(filters)
    charts = [
        area_comparison_chart(user=user, filters=filters, title=f"Recorded crime by borough / BCU, {period}"),
        category_trend_chart(user=user, filters=filters, title=f"Monthly trend by category, {period}"),
    ]
    summary = strategic_summary(user=user, filters=filters)
    return {
        **summary,
        "period": period,
        "charts": charts,
        "map_layers": page_map_layers(page="strategic", user=user, filters=filters) if with_map else [],
        "map_title": f"Recorded crime by borough, {period}",
        **forecasting.analytical_forecasting(user=user),
        "has_data": any(not chart["empty"] for chart in charts) or bool(summary["efficiency"]),
    }


# --- tactical ----------------------------------------------------------------------------------------------------


def tactical(*, user, filters: DashboardFilters, with_map: bool = True) -> dict:
    calls = calls_panels(user=user, filters=filters)
    filters = analytics_selectors.period_in_force(filters)
    charts = [hour_weekday_chart(user=user, filters=filters)]
    layers = page_map_layers(page="tactical", user=user, filters=filters) if with_map else []
    return {
        "charts": charts,
        "calls": calls,
        "response_times": response_times_panels(user=user, filters=filters),
        "period": period_label(filters),
        "map_layers": layers,
        "map_title": f"Latest incidents; hotspots, last {maps.HOTSPOT_MONTHS} months of {period_label(filters)}",
        # the incident points and hotspot hexagons follow the filters (the model layers do not)
        "has_data": any(not chart["empty"] for chart in charts + _section_charts(calls))
        or any(layer["id"] in maps.FILTERED_LAYERS for layer in layers),
    }


# --- calls for service -------------------------------------------------------------------------------------------

CALL_LEVELS = [("neighborhood", "neighborhood"), ("zip", "ZIP code"), ("borough", "district")]
OVERDOSE = analytics_selectors.OVERDOSE


def calls_panels(*, user, filters: DashboardFilters) -> list[dict]:
    """One section of charts per source of calls, drawn from the sections /api/analytics/calls/ returns."""
    return [
        _calls_section_charts(section) for section in analytics_selectors.calls_sections(user=user, filters=filters)
    ]


def _calls_section_charts(section: dict) -> dict:
    source, period = section["source"], section["period"]
    calls = DashboardFilters(date_from=period["from"], date_to=period["to"], kinds=("call",), sources=(source,))
    charts = [_category_trend(section["by_type"], chart_id="calls-type", title="Calls by type per month")]
    charts += [_areas_bar(section["by_area"][level], level=level, label=label) for level, label in CALL_LEVELS]
    charts += overdose_charts(section["overdose"], zone=f"{source_zone(source) or 'local'} time")
    charts += [year_shift_chart(section["year_shift"]), _with_help(priority_chart(section["priority_mix"]), "priority")]
    title = f"{source_label(source)}, {period_label(calls)}"
    scope = {"source": source, "kind": "call", "date_from": period["from"], "date_to": period["to"]}
    charts = [_for_section(chart, tag=source, title=title, drill=scope) for chart in charts if not chart["empty"]]
    return {"source": source, "title": title, "charts": charts}


def _with_help(chart: dict, entry: str) -> dict:
    """A chart whose title links to its glossary entry, with the entry's text as the tooltip."""
    return {**chart, "help": entry, "help_text": definition(entry)}


def _for_section(chart: dict, *, tag: str, title: str, drill: dict) -> dict:
    """A chart of one source's section: its own id, the source and period in its title, and its drill-downs
    carrying the source, kind and period (which may differ from the filter bar's) unless a point names its own."""
    chart_id = f"{chart['id']}-{slugify(tag)}"
    extra = {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in drill.items() if value}
    for trace in chart["figure"]["data"]:
        if isinstance(trace.get("customdata"), list):
            trace["customdata"] = [_merged_query(query, extra) for query in trace["customdata"]]
    return {**chart, "id": chart_id, "json_id": f"figure-{chart_id}", "title": f"{chart['title']} · {title}"}


def _merged_query(query, extra: dict[str, str]) -> str:
    """The drill-down `query` with `extra`'s parameters added where it has none of its own: a point's own month
    stays its month inside a section's period."""
    if not isinstance(query, str):
        return query
    names = {pair.partition("=")[0] for pair in query.split("&") if pair}
    return "&".join(filter(None, (query, urlencode({key: value for key, value in extra.items() if key not in names}))))


def _section_charts(sections: list[dict]) -> list[dict]:
    return [chart for section in sections for chart in section["charts"]]


def _areas_bar(rows: list[dict], *, level: str, label: str, prefix: str = "calls", title: str = "Calls") -> dict:
    return bar_chart(
        f"{prefix}-{level}",
        f"{title} by {label} (top {len(rows)})" if rows else f"{title} by {label}",
        labels=[row["name"] for row in rows],
        values=[row["total"] for row in rows],
        value_label="Calls",
        drill=[drill_query(area=row["area_code"], kind="call") for row in rows],
        horizontal=True,
    )


def overdose_charts(overdose: dict, *, zone: str) -> list[dict]:
    monthly, by_year, by_weekday = overdose["by_month"], overdose["by_year"], overdose["by_weekday"]
    drill = drill_query(category=OVERDOSE, kind="call")
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
            labels=[str(row["year"]) for row in by_year],
            values=[row["total"] for row in by_year],
            value_label="Calls",
            drill=[drill] * len(by_year),
        ),
        _with_empty(
            bar_chart(
                "overdose-weekday",
                f"Overdose calls by weekday, {zone}",
                labels=WEEKDAYS,
                values=[row["total"] for row in by_weekday],
                value_label="Calls",
                drill=[drill] * 7,
            ),
            not by_weekday,
        ),
        _areas_bar(
            overdose["top_neighborhoods"],
            level="neighborhood",
            label="neighborhood",
            prefix=OVERDOSE,
            title="Overdose calls",
        ),  # fmt: skip
    ]


def _with_empty(chart: dict, empty: bool) -> dict:
    chart["empty"] = empty
    return chart


def year_shift_chart(shift: dict) -> dict:
    """Each call type's share of calls in the latest year against the year before, in percentage points."""
    years, rows = shift["years"], [row for row in shift["rows"] if row["change_pp"] is not None]
    if len(years) < 2:
        return bar_chart("calls-shift", "Shift between call types, year on year", labels=[], values=[])
    return bar_chart(
        "calls-shift",
        f"Shift in share of calls, {years[0]} to {years[1]} (percentage points)",
        labels=[category_label(row["category"]) for row in rows],
        values=[row["change_pp"] for row in rows],
        value_label="Change in share (pp)",
        drill=[drill_query(category=row["category"], kind="call") for row in rows],
        horizontal=True,
    )


def priority_chart(rows: list[dict]) -> dict:
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


def scope_label(filters: DashboardFilters) -> str:
    """The areas and categories a panel shows, in words: 'Camden, burglary' or 'all your areas'."""
    names = analytics_selectors.area_names(filters.areas)
    where = ", ".join(names.get(code, code) for code in filters.areas) or "all your areas"
    return ", ".join([where, *(category_label(category).lower() for category in filters.categories)])


def _crime_unless_chosen(filters: DashboardFilters) -> DashboardFilters:
    return filters if filters.kinds else filters_with(filters, kinds=(Incident.Kind.CRIME,))


def deprivation_panel(*, user, filters: DashboardFilters) -> dict:
    """The overall IMD score against crime rate by LSOA, with every domain's Spearman rho and 95 % interval, for
    the page's areas, period and categories (computed from the LSOA rollups the filters select)."""
    crime = _crime_unless_chosen(filters)
    result = analytics_selectors.deprivation_correlation(user=user, filters=crime)
    results = {row["domain"]: row for row in result["domains"]}
    main = OVERALL_DOMAIN if OVERALL_DOMAIN in results else next(iter(results), None)
    points = [p for p in result["points"].get(main, []) if p.get("y") is not None]
    x, y = [p["x"] for p in points], [p["y"] for p in points]
    names = analytics_selectors.area_names(p["lsoa"] for p in points)
    title = f"Deprivation and crime rate by LSOA, {period_label(filters)}, {scope_label(crime)}"
    stats = results.get(main)
    if stats and stats["rho"] is not None:
        title += f" (Spearman rho {stats['rho']:.2f}, 95% interval {stats['ci_low']:.2f} to {stats['ci_high']:.2f})"
    chart = scatter_chart(
        "deprivation",
        title,
        x=x,
        y=y,
        labels=[names.get(p["lsoa"], "Split or merged LSOAs, pooled") for p in points],
        x_title=f"{domain_label(main or OVERALL_DOMAIN)} score, IMD 2019",
        y_title="Crimes per 1,000 residents",
        fit=_least_squares(x, y),
        drill=[drill_query(area=p["lsoa"]) for p in points],
    )
    table = [
        {**row, "domain": domain_label(row["domain"]), "p_text": _p_text(row["p_value"])} for row in result["domains"]
    ]
    return {"chart": _with_help(chart, "spearman"), "results": table}


def _p_text(p_value: float | None) -> str:
    if p_value is None:
        return "–"
    return "< 0.001" if p_value < 0.001 else f"{p_value:.3f}"


def category_matrix_chart(*, user, filters: DashboardFilters) -> dict:
    """Spearman correlation of category counts across small areas, for the page's areas and period (every
    category: a relationship between categories needs them all, so the category filter does not apply)."""
    crime = filters_with(_crime_unless_chosen(filters), categories=())
    data = analytics_selectors.category_correlation(user=user, filters=crime)
    labels = [category_label(category) for category in data["categories"]]
    areas = "LSOAs" if data["level"] == "lsoa" else "neighborhoods"
    title = f"Category correlation across {areas} (Spearman), {period_label(filters)}, {scope_label(crime)}"
    if filters.categories:
        title += "; every category shown, as a correlation needs them all"
    chart = heatmap_chart("category-matrix", title, x=labels, y=labels, z=data["matrix"], diverging=True, zmid=0)
    return _with_help(chart, "spearman")


def decomposition_chart(*, user, filters: DashboardFilters) -> dict:
    """STL of the monthly series the filters select, over the page's period (a few dozen points: computed here)."""
    level = "borough" if filters.areas else "force"
    rows = analytics_selectors.rollup_totals(user=user, filters=filters, by=("month",), level=level)
    months, values = dense_series({row["month"]: row["total"] or 0 for row in rows if row["total"] is not None})
    result = stl_decompose(values)
    title = f"Seasonal decomposition (STL), {period_label(filters)}, {scope_label(filters)}"
    if result is None:
        chart = stacked_lines_chart("decomposition", title, x=[], panels={})
        chart["empty_reason"] = (
            f"A seasonal decomposition needs at least {STL_MIN_MONTHS} months of data; "
            f"this period and area hold {len(months)}. Choose a longer period."
        )
        return chart
    panels = {"Observed": list(values), "Trend": result["trend"], "Seasonal": result["seasonal"],
              "Residual": result["resid"]}  # fmt: skip
    chart = stacked_lines_chart("decomposition", title, x=[_month_label(m) for m in months], panels=panels)
    return _with_help(chart, "stl")


def analytical(*, user, filters: DashboardFilters, with_map: bool = True) -> dict:
    calls = calls_panels(user=user, filters=filters)
    filters = analytics_selectors.period_in_force(filters)
    period, scope = period_label(filters), scope_label(filters)
    deprivation = deprivation_panel(user=user, filters=filters)
    charts = [
        deprivation["chart"],
        category_matrix_chart(user=user, filters=filters),
        decomposition_chart(user=user, filters=filters),
        area_comparison_chart(user=user, filters=filters, title=f"Incidents by borough / BCU, {period}, {scope}"),
    ]
    return {
        "charts": charts,
        "correlations": deprivation["results"],
        "calls": calls,
        "response_times": response_times_panels(user=user, filters=filters),
        "period": f"{period}, {scope}",
        "map_layers": page_map_layers(page="analytical", user=user, filters=filters) if with_map else [],
        "map_title": f"Incidents by area, {period}, {scope}",
        **forecasting.analytical_forecasting(user=user),
        "has_data": any(not chart["empty"] for chart in charts + _section_charts(calls)),
    }


# Each page's context; with_map=False leaves its map layers out (the CSV export has no use for them).
BUILDERS = {"strategic": strategic, "tactical": tactical, "analytical": analytical}


def page_map_layers(*, page: str, user, filters: DashboardFilters) -> list[dict]:
    """A page's map layers for the filters it is asked with (its period in force filled in): what the page draws,
    and the GeoJSON export gives without building the rest of the page."""
    layers = maps.tactical_layers if page == "tactical" else maps.choropleth_layers
    return layers(user=user, filters=page_filters(page=page, filters=filters))
