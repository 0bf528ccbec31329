"""Plotly figure builders. Each returns a chart: a title, a Plotly figure as plain JSON, and the same numbers as a
table for readers who cannot see the chart. Figures are plain dicts (no plotly.graph_objects validation) because
pages must render in well under 100 ms.

`drill` values are query strings added to the page's filters when a bar, cell or point is clicked: the browser then
opens the incident list filtered to what was clicked.
"""

from collections.abc import Sequence

from analytics import conf

# Okabe-Ito: distinguishable with every common colour-vision deficiency.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
SEQUENTIAL = "Viridis"
DIVERGING = [[0, "#0072B2"], [0.5, "#f7f7f7"], [1, "#D55E00"]]


def _layout(title: str, **extra) -> dict:
    # The page heads each chart with its title (an <h2>, read by screen readers); the figure keeps it only as
    # metadata so an exported image can be captioned.
    layout = {
        "meta": {"title": title},
        "margin": {"l": 60, "r": 20, "t": 16, "b": 60},
        "colorway": OKABE_ITO,
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "font": {"family": "system-ui, sans-serif", "size": 12},
        "legend": {"orientation": "h", "y": -0.2},
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def chart(chart_id: str, title: str, data: list, layout: dict, columns: Sequence[str], rows: list) -> dict:
    return {
        "id": chart_id,
        "json_id": f"figure-{chart_id}",
        "title": title,
        "figure": {"data": data, "layout": layout},
        "table": {"columns": list(columns), "rows": rows},
        "empty": not rows,
        "suppressed": only_hidden_counts(rows),
        "partly_suppressed": any(value is None for row in rows for value in row[1:]),
        "suppressed_below": conf.SUPPRESSION_THRESHOLD,
    }


def only_hidden_counts(rows: list) -> bool:
    """True when the small-count guard hid some counts (None) and no other count is above zero: such a chart would
    draw nothing, so the page says why instead."""
    values = [value for row in rows for value in row[1:]]
    return any(value is None for value in values) and not any(
        isinstance(value, int | float) and value for value in values
    )


def bar_chart(
    chart_id: str,
    title: str,
    *,
    labels: Sequence[str],
    values: Sequence[float],
    value_label: str = "Incidents",
    drill: Sequence[str] | None = None,
    horizontal: bool = False,
) -> dict:
    axes = {"x": list(values), "y": list(labels)} if horizontal else {"x": list(labels), "y": list(values)}
    trace = {"type": "bar", "name": value_label, "marker": {"color": OKABE_ITO[0]}, **axes}
    if horizontal:
        trace["orientation"] = "h"
    if drill:
        trace["customdata"] = list(drill)
    category_axis = {"automargin": True, "type": "category"}
    value_axis = {"automargin": True}
    axes = (
        {"xaxis": value_axis, "yaxis": category_axis} if horizontal else {"xaxis": category_axis, "yaxis": value_axis}
    )
    layout = _layout(title, showlegend=False, **axes)
    rows = [[label, value] for label, value in zip(labels, values, strict=False)]
    return chart(chart_id, title, [trace], layout, ["", value_label], rows)


def line_chart(
    chart_id: str,
    title: str,
    *,
    x: Sequence,
    series: dict[str, Sequence[float]],
    y_title: str = "Incidents",
    drill: dict[str, Sequence[str]] | None = None,
) -> dict:
    data = []
    for name, values in series.items():
        trace = {"type": "scatter", "mode": "lines+markers", "name": name, "x": list(x), "y": list(values)}
        if drill and name in drill:
            trace["customdata"] = list(drill[name])
        data.append(trace)
    layout = _layout(title, yaxis={"title": {"text": y_title}, "rangemode": "tozero"})
    rows = [[label, *(series[name][i] for name in series)] for i, label in enumerate(x)]
    return chart(chart_id, title, data, layout, ["", *series], rows)


def heatmap_chart(
    chart_id: str,
    title: str,
    *,
    x: Sequence[str],
    y: Sequence[str],
    z: Sequence[Sequence[float]],
    drill: Sequence[Sequence[str]] | None = None,
    diverging: bool = False,
    zmid: float | None = None,
) -> dict:
    trace = {"type": "heatmap", "x": list(x), "y": list(y), "z": [list(row) for row in z]}
    trace["colorscale"] = DIVERGING if diverging else SEQUENTIAL
    if zmid is not None:
        trace["zmid"] = zmid
    if drill:
        trace["customdata"] = [list(row) for row in drill]
    layout = _layout(title, yaxis={"automargin": True, "autorange": "reversed"}, xaxis={"automargin": True})
    rows = [[label, *row] for label, row in zip(y, z, strict=False)]
    return chart(chart_id, title, [trace], layout, ["", *x], rows)


def scatter_chart(
    chart_id: str,
    title: str,
    *,
    x: Sequence[float],
    y: Sequence[float],
    labels: Sequence[str],
    x_title: str,
    y_title: str,
    fit: tuple[float, float] | None = None,
    drill: Sequence[str] | None = None,
) -> dict:
    points = {"type": "scatter", "mode": "markers", "name": "Areas", "x": list(x), "y": list(y), "text": list(labels)}
    points["marker"] = {"color": OKABE_ITO[0], "opacity": 0.7, "size": 7}
    if drill:
        points["customdata"] = list(drill)
    data = [points]
    if fit and x:
        slope, intercept = fit
        ends = [min(x), max(x)]
        line = {"type": "scatter", "mode": "lines", "name": "Linear fit", "x": ends}
        line.update(y=[slope * value + intercept for value in ends], line={"color": OKABE_ITO[3]})
        data.append(line)
    layout = _layout(title, xaxis={"title": {"text": x_title}}, yaxis={"title": {"text": y_title}})
    rows = [[label, a, b] for label, a, b in zip(labels, x, y, strict=False)]
    return chart(chart_id, title, data, layout, ["Area", x_title, y_title], rows)


def interval_chart(
    chart_id: str,
    title: str,
    *,
    history_x: Sequence,
    history_y: Sequence[float],
    x: Sequence,
    mean: Sequence[float],
    lower: Sequence[float],
    upper: Sequence[float],
    y_title: str = "Calls",
) -> dict:
    """Observed history, then a forecast with its prediction interval as a shaded band."""
    band_x = list(x) + list(reversed(x))
    band_y = list(upper) + list(reversed(lower))
    data = [
        {"type": "scatter", "mode": "lines", "name": "Observed", "x": list(history_x), "y": list(history_y)},
        {"type": "scatter", "fill": "toself", "name": "Prediction interval", "x": band_x, "y": band_y},
        {"type": "scatter", "mode": "lines", "name": "Forecast", "x": list(x), "y": list(mean)},
    ]
    data[1].update(line={"width": 0}, fillcolor="rgba(230,159,0,0.3)", hoverinfo="skip")
    data[2]["line"] = {"color": OKABE_ITO[3], "dash": "dash"}
    layout = _layout(title, yaxis={"title": {"text": y_title}, "rangemode": "tozero"})
    rows = [[str(a), b, "", "", ""] for a, b in zip(history_x, history_y, strict=False)]
    rows += [[str(a), "", m, lo, hi] for a, m, lo, hi in zip(x, mean, lower, upper, strict=False)]
    return chart(chart_id, title, data, layout, ["Period", "Observed", "Forecast", "Lower", "Upper"], rows)


def stacked_lines_chart(chart_id: str, title: str, *, x: Sequence, panels: dict[str, Sequence[float]]) -> dict:
    """Several series sharing an x axis, each on its own row (seasonal decomposition)."""
    count = len(panels)
    data, layout_axes = [], {}
    for index, (name, values) in enumerate(panels.items(), start=1):
        axis = "" if index == 1 else str(index)
        data.append({"type": "scatter", "mode": "lines", "name": name, "x": list(x), "y": list(values)})
        data[-1].update(xaxis=f"x{axis}", yaxis=f"y{axis}")
        top = 1 - (index - 1) / count
        layout_axes[f"yaxis{axis}"] = {"domain": [top - 1 / count + 0.04, top], "title": {"text": name}}
        layout_axes[f"xaxis{axis}"] = {"anchor": f"y{axis}", "matches": "x", "showticklabels": index == count}
    layout = _layout(title, height=140 * count + 80, showlegend=False, **layout_axes)
    rows = [[str(label), *(panels[name][i] for name in panels)] for i, label in enumerate(x)]
    return chart(chart_id, title, data, layout, ["Period", *panels], rows)


def sparkline(x: Sequence, values: Sequence[float]) -> dict:
    """A tiny trend line for a KPI tile: no axes, no title (the tile carries the label and the numbers)."""
    trace = {"type": "scatter", "mode": "lines+markers", "x": list(x), "y": list(values)}
    trace.update(line={"color": OKABE_ITO[0], "width": 2}, marker={"size": 4}, hoverinfo="x+y")
    axis = {"visible": False, "fixedrange": True}
    layout = {"margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "height": 40, "showlegend": False}
    layout.update(xaxis=axis, yaxis=axis, paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    return {"data": [trace], "layout": layout}


def grouped_bar_chart(
    chart_id: str, title: str, *, labels: Sequence[str], series: dict[str, Sequence[float]], y_title: str
) -> dict:
    """Bars side by side per label, one colour per series (e.g. share of demand against share of units)."""
    data = [{"type": "bar", "name": name, "x": list(labels), "y": list(values)} for name, values in series.items()]
    layout = _layout(title, barmode="group", xaxis={"type": "category"}, yaxis={"title": {"text": y_title}})
    rows = [[label, *(series[name][i] for name in series)] for i, label in enumerate(labels)]
    return chart(chart_id, title, data, layout, ["", *series], rows)
