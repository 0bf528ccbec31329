"""The response-times panel of the tactical (commander) and analytical (analyst) pages: for each source of calls,
median and 90th percentile response against the force's target per priority, the share within target, the trend by
month, the median by local hour x weekday, by category and by area, the stages of a call, and the slowest calls.

Every number comes from analytics.response_times.response_times_report, which the API endpoint serves too. Each
source is shown on its own (two dispatch systems' priorities are never added together), over the dates chosen or
else its latest 12 months with response times; a source that records none says so instead of showing zeros.
"""

from datetime import date

from django.utils.text import slugify

from analytics.filters import AnalyticsFilters, month_end
from analytics.response_times import month_shift, response_sources, response_times_report
from dashboards.figures import grouped_bar_chart, heatmap_chart, line_chart
from dashboards.filters import DashboardFilters, drill_query, filters_to_query, filters_with
from dashboards.glossary import definition
from dashboards.labels import source_label
from ingestion.lifecycle import NO_RESPONSE_TIMES

DEFAULT_MONTHS = 12
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MINUTES = "Minutes"
API_PATH = "/api/analytics/response-times/"


def response_times_panels(*, user, filters: DashboardFilters) -> list[dict]:
    """One section per source of calls in the user's areas."""
    return [_section(user=user, filters=filters, source=row) for row in response_sources(user=user, filters=filters)]


def _section(*, user, filters: DashboardFilters, source: dict) -> dict:
    name = source_label(source["source"])
    if not source["has_times"]:
        reason = f"{name}: {NO_RESPONSE_TIMES} (when units were dispatched, arrived and cleared)."
        return {"source": source["source"], "title": name, "has_times": False, "empty_reason": reason}
    period = _period(filters, first=source["first_month"], latest=source["latest_month"])
    chosen = filters_with(period, sources=(source["source"],))
    report = response_times_report(user=user, filters=chosen)
    covers = _covers(report, chosen, name)
    return {
        "source": source["source"],
        "slug": slugify(source["source"]),
        "title": f"{name}, {covers['period']}",
        "has_times": report["has_times"],
        "empty_reason": report["empty_reason"],
        "covers": covers,
        "overall": report["overall"],
        "priorities": report["by_priority"],
        "stages": report["stages"],
        "slowest": report["slowest"],
        "slowest_period": _period_label(**report["slowest_period"]),
        "charts": _charts(report, covers=covers, source=source["source"]),
        "api_query": filters_to_query(chosen),
        "api_url": f"{API_PATH}?{filters_to_query(chosen)}",
    }


def _period(filters: DashboardFilters, *, first: date | None, latest: date | None) -> AnalyticsFilters:
    """The dates chosen (or the page's period), else the source's latest 12 months with response times; never
    starting before the source's first month with them, so the period stated is the period the figures cover."""
    if latest is None:
        return filters
    end = filters.date_to or month_end(latest)
    start = filters.date_from or month_shift(end, 1 - DEFAULT_MONTHS)
    return filters_with(filters, date_from=max(start, first) if first else start, date_to=end)


def _covers(report: dict, filters: AnalyticsFilters, name: str) -> dict:
    """What the panel's figures cover, in words: period, areas, categories, source and the zone of its hours."""
    period = _period_label(date_from=filters.date_from, date_to=filters.date_to)
    zones = sorted(set(report["covers"]["time_zones"].values()))
    return {
        "period": period,
        "areas": ", ".join(row["name"] for row in report["covers"]["area_names"]) or "all your areas",
        "categories": ", ".join(filters.categories) or "every category",
        "source": name,
        "time_zone": ", ".join(zones) or "the source's own",
        "definition": report["definition"],
        "resolution": report["resolution"],
    }


def _period_label(*, date_from: date | None, date_to: date | None) -> str:
    if not (date_from and date_to):
        return "all months"
    same = (date_from.year, date_from.month) == (date_to.year, date_to.month)
    return f"{date_to:%b %Y}" if same else f"{date_from:%b %Y} to {date_to:%b %Y}"


def _charts(report: dict, *, covers: dict, source: str) -> list[dict]:
    suffix = f" · {covers['source']}, {covers['period']}, {covers['areas']}"
    charts = [
        _priority_chart(report["by_priority"]),
        _trend_chart(report["by_month"]),
        _share_chart(report["by_month"]),
        _heatmap(report["hour_weekday"], zone=covers["time_zone"]),
        _category_chart(report["by_category"], source=source),
        _area_chart(report["by_area"], source=source),
    ]
    return [{**chart, "id": f"{chart['id']}-{slugify(source)}", "json_id": f"figure-{chart['id']}-{slugify(source)}",
             "title": chart["title"] + suffix} for chart in charts]  # fmt: skip


def _with_help(chart: dict, entry: str, *, rows: list[dict]) -> dict:
    """The chart with its glossary entry, and its hidden-figures notes from the rows the guard hid (a priority
    without a target is a blank, not a hidden count)."""
    hidden = [bool(row.get("suppressed")) for row in rows]
    return {**chart, "help": entry, "help_text": definition(entry), "suppressed": bool(hidden) and all(hidden),
            "partly_suppressed": any(hidden) and not all(hidden)}  # fmt: skip


def _priority_chart(rows: list[dict]) -> dict:
    labels = [row["priority"] or "Not given" for row in rows]
    series = {
        "Median (p50)": [row["p50"] for row in rows],
        "90th percentile (p90)": [row["p90"] for row in rows],
        "Target": [row["target_minutes"] for row in rows],
    }
    chart = grouped_bar_chart("rt-priority", "Response time against target by priority", labels=labels,
                              series=series, y_title=MINUTES)  # fmt: skip
    return _with_help(chart, "response_target", rows=rows)


def _trend_chart(rows: list[dict]) -> dict:
    x = [f"{row['month']:%Y-%m}" for row in rows]
    series = {"Median (p50)": [row["p50"] for row in rows], "90th percentile (p90)": [row["p90"] for row in rows]}
    chart = line_chart("rt-month", "Response time by month", x=x, series=series, y_title=MINUTES)
    return _with_help(chart, "response_percentiles", rows=rows)


def _share_chart(rows: list[dict]) -> dict:
    x = [f"{row['month']:%Y-%m}" for row in rows]
    shares = [None if row["within_target"] is None else round(100 * row["within_target"], 1) for row in rows]
    chart = line_chart("rt-share", "Calls attended within target by month (%)", x=x,
                       series={"Within target (%)": shares}, y_title="% of calls with a target")  # fmt: skip
    chart["empty"] = all(share is None for share in shares)
    chart["empty_reason"] = "No calls of a priority with a target: the force sets targets in the administration pages."
    return _with_help(chart, "response_target", rows=rows)


def _heatmap(cells: dict, *, zone: str) -> dict:
    chart = heatmap_chart("rt-hour-weekday", f"Median response by hour and weekday, {zone} time",
                          x=[f"{hour:02d}" for hour in range(24)], y=WEEKDAYS, z=cells["median"])  # fmt: skip
    chart["empty"] = not cells["kept_at_this_level"] or all(v is None for row in cells["median"] for v in row)
    chart["empty_reason"] = (
        "Hour-by-weekday response times are kept by borough or district: choose one, or no area."
        if not cells["kept_at_this_level"]
        else "Too few calls in any hour of the week to show a median to your role."
    )
    hidden = [{"suppressed": True}] * cells["hidden_cells"]
    return _with_help(chart, "response_time", rows=hidden + [{}] if hidden else [])


def _category_chart(rows: list[dict], *, source: str) -> dict:
    rows = rows[:12]
    drill = [{"category": row["category"], "source": source, "kind": "call"} for row in rows]
    return _percentiles_chart("rt-category", "Response time by category (largest 12)", rows=rows, drill=drill)


def _area_chart(by_area: dict, *, source: str) -> dict:
    rows = by_area["rows"]
    drill = [{"area": row["area_code"], "source": source, "kind": "call"} for row in rows]
    return _percentiles_chart("rt-area", f"Response time by {by_area['level'].lower()}", rows=rows, drill=drill)


def _percentiles_chart(chart_id: str, title: str, *, rows: list[dict], drill: list[dict]) -> dict:
    """p50 and p90 side by side per row, each bar opening the incident list of what was clicked."""
    labels = [row.get("label") or row.get("name") for row in rows]
    series = {"Median (p50)": [row["p50"] for row in rows], "90th percentile (p90)": [row["p90"] for row in rows]}
    chart = grouped_bar_chart(chart_id, title, labels=labels, series=series, y_title=MINUTES)
    _drill(chart, drill)
    return _with_help(chart, "response_time", rows=rows)


def _drill(chart: dict, params: list[dict]) -> None:
    """Bars open the incident list of what was clicked."""
    for trace in chart["figure"]["data"]:
        trace["customdata"] = [drill_query(**query) for query in params]
