"""Exports of what a dashboard shows: every chart's data table as CSV, every map layer as GeoJSON."""

import io
import json

from django.core.serializers.json import DjangoJSONEncoder

from crimedash.spreadsheet import FormulaSafeWriter
from dashboards import pages
from dashboards.filters import DashboardFilters

EXPORTABLE_PAGES = ("strategic", "tactical", "analytical")
FORMATS = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


def page_charts(context: dict) -> list[dict]:
    calls = [chart for section in context.get("calls", []) for chart in section["charts"]]  # one section per source
    return [chart for chart in context.get("charts", []) + calls if not chart["empty"]]


def charts_csv(charts: list[dict]) -> str:
    """One block per chart: its title, its column headings, its rows, then a blank line."""
    buffer = io.StringIO()
    writer = FormulaSafeWriter(buffer)
    for chart in charts:
        writer.writerow([chart["title"]])
        writer.writerow([column or "label" for column in chart["table"]["columns"]])
        writer.writerows(chart["table"]["rows"])
        writer.writerow([])
    return buffer.getvalue()


def layers_geojson(layers: list[dict]) -> str:
    features = [
        {**feature, "properties": {**feature["properties"], "layer": layer["id"]}}
        for layer in layers
        for feature in layer["geojson"]["features"]
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, cls=DjangoJSONEncoder)


def export_body(*, page: str, user, filters: DashboardFilters, fmt: str) -> tuple[str, str]:
    """(body, content type) of a page's export: its charts' tables from the page built without its map, or its map
    layers built alone. Each is what the page shows for the same filters."""
    if fmt == "csv":
        context = pages.BUILDERS[page](user=user, filters=filters, with_map=False)
        return charts_csv(page_charts(context)), FORMATS[fmt]
    return layers_geojson(pages.page_map_layers(page=page, user=user, filters=filters)), FORMATS[fmt]
