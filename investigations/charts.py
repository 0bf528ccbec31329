"""The roll-up trend as an accessible inline SVG (plotly.js is not served locally yet): one line per action
kind, with a title and description for screen readers; the same numbers are given as a table beside it."""

from collections import defaultdict
from datetime import date

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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

    span = max((days[-1] - days[0]).days, 1)
    xs = {day: PAD + (WIDTH - 2 * PAD) * (day - days[0]).days / span for day in days}  # each day's x, once

    def y(value: int) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * value / peak

    lines = [
        {
            "kind": kind,
            "label": Action.Kind(kind).label,
            "colour": COLOURS.get(kind, "#1b1f24"),
            "points": " ".join(f"{xs[day]:.1f},{y(points.get(day, 0)):.1f}" for day in days),
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


def trend_table(rows: list[dict]) -> SafeString:
    """The trend's rows as the body of its data table, written in one pass: some 200 rows of dates and numbers
    through the template engine were most of the roll-up's rendering. Each day is formatted once, in the site's
    date format; counts are plain integers (the site does not group thousands)."""
    days = {day: date_format(day) for day in {row["day"] for row in rows}}
    return mark_safe(
        "".join(
            f"<tr><td>{days[row['day']]}</td><td>{escape(row['kind'])}</td>"
            f'<td class="num">{row["outstanding"]:d}</td><td class="num">{row["overdue"]:d}</td></tr>'
            for row in rows
        )
    )
