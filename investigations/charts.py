"""The roll-up trend as an accessible inline SVG (plotly.js is not served locally yet): one line per action
kind, with a title and description for screen readers; the same numbers are given as a table beside it."""

from collections import defaultdict
from datetime import date

from investigations.models import Action

WIDTH, HEIGHT, PAD = 760, 260, 40
COLOURS = {
    "review": "#0072b2",
    "bail": "#d55e00",
    "victim_contact": "#009e73",
    "rui": "#cc79a7",
    "time_limit": "#e69f00",
    "cdi": "#56b4e9",
}


def trend_series(rows: list[dict], measure: str) -> dict[str, dict[date, int]]:
    series = defaultdict(dict)
    for row in rows:
        series[row["kind"]][row["day"]] = row[measure] or 0
    return series


def trend_svg(trend: dict, *, measure: str = "overdue") -> dict:
    """Polylines and axis labels for the template; empty when there is no history yet."""
    days = trend["days"]
    if len(days) < 2:
        return {}
    series = trend_series(trend["rows"], measure)
    peak = max([value for points in series.values() for value in points.values()] + [1])

    def x(day: date) -> float:
        return PAD + (WIDTH - 2 * PAD) * (day - days[0]).days / max((days[-1] - days[0]).days, 1)

    def y(value: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / peak

    lines = [
        {
            "kind": kind,
            "label": Action.Kind(kind).label,
            "colour": COLOURS.get(kind, "#1b1f24"),
            "points": " ".join(f"{x(day):.1f},{y(points.get(day, 0)):.1f}" for day in days),
            "first": points.get(days[0], 0),
            "last": points.get(days[-1], 0),
        }
        for kind, points in sorted(series.items())
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "pad": PAD,
        "lines": lines,
        "peak": peak,
        "peak_y": y(peak),
        "base_y": y(0),
        "first_day": days[0],
        "last_day": days[-1],
        "right": WIDTH - PAD,
        "measure": measure,
    }
