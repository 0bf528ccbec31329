"""GeoJSON map layers for Leaflet. Each layer is {"id", "name", "kind", "geojson"}; the browser styles polygons
from each feature's `color` and turns point layers into clustered markers."""

import h3

from accounts.scoping import area_codes_visible_to
from analytics import selectors as analytics_selectors
from analytics.forecasting import selectors as forecasting
from analytics.hotspots.runs import chosen_method
from analytics.models import HotspotRun
from dashboards import selectors
from dashboards.filters import DashboardFilters, drill_query
from ingestion.geo import outline_of
from ingestion.models import Area

# Viridis in eight steps: ordered light-to-dark so more crime reads darker, and safe for colour-blind readers.
VIRIDIS = ["#fde725", "#a0da39", "#4ac16d", "#1fa187", "#277f8e", "#365c8d", "#46327e", "#440154"]
HEX_LIMIT = 300  # the busiest cells; beyond them a tactical map is noise (and page weight)
HOTSPOT_MONTHS = 3  # the tactical map shows where incidents cluster now


def _color(value: float, top: float) -> str:
    if not top or value <= 0:
        return VIRIDIS[0]
    return VIRIDIS[min(len(VIRIDIS) - 1, int(value / top * (len(VIRIDIS) - 1) + 0.5))]


def _legend(top: float, unit: str = "incidents") -> list[dict]:
    """What each colour of `_color` stands for: the value range that rounds to it."""
    step = top / (len(VIRIDIS) - 1) if top else 0
    entries = []
    for index, color in enumerate(VIRIDIS):
        low, high = max(0.0, (index - 0.5) * step), (index + 0.5) * step
        label = f"{low:,.0f} to {high:,.0f} {unit}" if index else f"up to {high:,.0f} {unit}"
        entries.append({"color": color, "label": label})
    return entries


def _feature(geometry: dict, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _simplified_boundaries(codes: list[str]) -> dict[str, dict]:
    """Map outlines by area code: each Area's stored outline (set when its boundary is imported), worked out from
    the boundary only for an area stored without one."""
    found = dict(Area.objects.filter(code__in=codes, outline__isnull=False).values_list("code", "outline"))
    missing = [code for code in codes if code not in found]
    if missing:
        boundaries = Area.objects.filter(code__in=missing, boundary__isnull=False).values_list("code", "boundary")
        found.update((code, outline_of(boundary)) for code, boundary in boundaries)
    return found


def _hexagon(cell: str) -> dict:  # cells recur on every map: each outline is worked out once per process
    ring = [[round(lng, 5), round(lat, 5)] for lat, lng in h3.cell_to_boundary(cell)]
    return {"type": "Polygon", "coordinates": [ring + ring[:1]]}


def _area_values(*, user, filters: DashboardFilters, level: str, top: int = 0) -> dict[str, int]:
    rows = analytics_selectors.rollup_totals(user=user, filters=filters, by=("area_code",), level=level, top=top)
    return {row["area_code"]: row["total"] for row in rows if row["total"] is not None}


def borough_layer(*, user, filters: DashboardFilters) -> dict | None:
    """Boroughs/districts with imported boundaries, coloured by incidents in the period."""
    areas = Area.objects.filter(kind__in=selectors.TOP_AREA_KINDS, boundary__isnull=False).exclude(kind="force")
    visible = area_codes_visible_to(user=user)
    if visible is not None:
        areas = areas.filter(code__in=visible)
    values = _area_values(user=user, filters=filters, level="borough")
    areas = [area for area in areas.only("code", "name") if area.code in values]
    if not areas:
        return None
    top = max(values.values())
    outlines = _simplified_boundaries([area.code for area in areas])
    features = [
        _feature(
            outlines[area.code],
            code=area.code,
            name=area.name,
            value=values[area.code],
            color=_color(values[area.code], top),
            drill=drill_query(area=area.code),
        )
        for area in areas
    ]
    layer = {"id": "boroughs", "name": "Incidents by borough", "kind": "polygons", "geojson": _collection(features)}
    return {**layer, "legend": _legend(top)}


def hexagon_layer(*, user, filters: DashboardFilters, layer_id="hexagons", name="Incidents by H3 cell") -> dict | None:
    values = _area_values(user=user, filters=filters, level="h3", top=HEX_LIMIT)
    cells = sorted(values, key=values.get, reverse=True)
    cells = [cell for cell in cells if h3.is_valid_cell(cell)]
    if not cells:
        return None
    top = values[cells[0]]
    features = [
        _feature(
            _hexagon(cell),
            code=cell,
            name=cell,
            value=values[cell],
            color=_color(values[cell], top),
            drill=drill_query(area=cell),
        )
        for cell in cells
    ]
    layer = {"id": layer_id, "name": name, "kind": "polygons", "geojson": _collection(features)}
    return {**layer, "legend": _legend(top)}


def choropleth_layers(*, user, filters: DashboardFilters) -> list[dict]:
    """Borough boundaries when imported, H3 hexagons otherwise."""
    layer = borough_layer(user=user, filters=filters) or hexagon_layer(user=user, filters=filters)
    return [layer] if layer else []


def incident_layer(*, user, filters: DashboardFilters) -> dict | None:
    points = selectors.incident_points(user=user, filters=filters)
    if not points:
        return None
    features = [
        _feature(
            {"type": "Point", "coordinates": [round(p["longitude"], 5), round(p["latitude"], 5)]},
            id=p["id"],
            name=p["category"],
            when=p["occurred_at"].isoformat(),
            status=p["status"],
        )
        for p in points
    ]
    return {"id": "incidents", "name": "Latest incidents", "kind": "points", "geojson": _collection(features)}


GI_HOT, GI_COLD = "#D55E00", "#0072B2"


def gi_star_layer(*, user) -> dict | None:
    """Significant Getis-Ord Gi* cells of the latest run (FDR-corrected): hot spots orange, cold spots blue."""
    collection = forecasting.hotspot_cells_geojson(user=user, method=HotspotRun.Method.GI_STAR, significant_only=True)
    features = [
        _feature(
            feature["geometry"],
            code=feature["properties"]["cell"],
            name=f"Gi* z = {feature['properties']['z']:.2f} (q = {feature['properties']['q']:.3f})",
            value=round(feature["properties"]["z"], 2),
            color=GI_HOT if feature["properties"]["z"] > 0 else GI_COLD,
        )
        for feature in collection["features"]
        if feature["properties"]["z"] is not None
    ]
    if not features:
        return None
    legend = [{"color": GI_HOT, "label": "Hot spot (more than its surroundings)"},
              {"color": GI_COLD, "label": "Cold spot (fewer than its surroundings)"}]  # fmt: skip
    layer = {"id": "gi-star", "name": "Gi* hot and cold spots", "kind": "polygons", "geojson": _collection(features)}
    return {**layer, "legend": legend}


FORECAST_TOP, FORECAST_NEXT = "#440154", "#21918c"


def forecast_layer(*, user) -> dict | None:
    """Next month's hotspots by the method the latest hotspot backtest chose on its validation months: the cells
    ranked in the top 1 % and 5 % of the area, the coverages its PAI is measured at (none while Gi* is the choice:
    its layer is drawn already)."""
    method = chosen_method()
    if method == HotspotRun.Method.GI_STAR:
        return None
    run = forecasting.hotspot_run_latest(user=user, method=method)
    top_one, top_cells = (_area_cells(run, share) for share in (0.01, 0.05)) if run else (0, 0)
    collection = forecasting.hotspot_cells_geojson(user=user, method=method, limit=top_cells) if run else {}
    features = [
        _feature(
            feature["geometry"],
            code=feature["properties"]["cell"],
            name=f"Forecast rank {feature['properties']['rank']}",
            value=feature["properties"]["rank"],
            color=FORECAST_TOP if feature["properties"]["rank"] <= top_one else FORECAST_NEXT,
        )
        for feature in collection.get("features", [])
        if feature["properties"]["rank"] <= top_cells
    ]
    if not features:
        return None
    legend = [{"color": FORECAST_TOP, "label": "Top 1 % of the area next month"},
              {"color": FORECAST_NEXT, "label": "Top 5 %"}]  # fmt: skip
    name = f"Forecast hotspots ({run['method_label']}, chosen on validation months)"
    layer = {"id": "forecast", "name": name, "kind": "polygons", "geojson": _collection(features)}
    return {**layer, "legend": legend}


def _area_cells(run: dict, share: float) -> int:
    """How many of the run's cells make `share` of its study area (at least one, at most HEX_LIMIT)."""
    return min(HEX_LIMIT, max(1, round(run["cells_total"] * share)))


FILTERED_LAYERS = ("incidents", "hotspots")


def tactical_layers(*, user, filters: DashboardFilters) -> list[dict]:
    layers = [
        incident_layer(user=user, filters=filters),
        hexagon_layer(
            user=user,
            filters=selectors.recent_window(filters, HOTSPOT_MONTHS),
            layer_id="hotspots",
            name="Hotspot hexagons",
        ),
        gi_star_layer(user=user),
        forecast_layer(user=user),
    ]
    return [layer for layer in layers if layer]
