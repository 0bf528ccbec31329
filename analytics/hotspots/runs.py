"""Hotspot services: read incidents in bulk (tasks and commands only), compute, store runs, cells and backtests."""

import datetime as dt
from collections import Counter

import numpy as np
import pandas as pd
from django.db import transaction

from analytics.hotspots import backtest as hotspot_backtest
from analytics.hotspots import methods as hotspots
from analytics.hotspots import near_repeat
from analytics.hotspots.grid import H3, SQUARE, CellGrid, boundaries_from_areas, study_grid
from analytics.models import HotspotBacktest, HotspotCell, HotspotRun
from ingestion.models import Incident

REPORTED = HotspotRun.Origin.REPORTED
MAX_STORED_CELLS = 2000
DEFAULT_MONTHS = 12
DEFAULT_RESOLUTION = 8
POINT_FIELDS = ["occurred_at", "local_date", "latitude", "longitude", "h3_cell", "borough_id"]


def incident_points(
    *, category: str = "", kind: str = "", origin: str = REPORTED, area_code: str = "", start=None, end=None
) -> pd.DataFrame:
    """Located incidents as a DataFrame (occurred_at, latitude, longitude, h3_cell, borough_id); bulk read."""
    rows = Incident.objects.filter(latitude__isnull=False, longitude__isnull=False)
    filters = {
        "category": category,
        "kind": kind,
        "borough_id": area_code,
        "occurred_at__gte": start,
        "occurred_at__lt": end,
    }
    rows = rows.filter(**{key: value for key, value in filters.items() if value})
    if origin != HotspotRun.Origin.ALL:
        rows = rows.filter(origin=origin)
    return pd.DataFrame.from_records(rows.values_list(*POINT_FIELDS).iterator(chunk_size=20_000), columns=POINT_FIELDS)


def points_grid(*, points: pd.DataFrame, grid_kind: str, size: int, area_code: str = "", boundaries=None) -> CellGrid:
    """The study grid: the imported boundaries (one borough's, or all), else the bounding box of the points."""
    if boundaries is None:
        boundaries = boundaries_from_areas(area_codes=[area_code] if area_code else None)
    return study_grid(
        kind=grid_kind, size=size, boundaries=boundaries, lat=points["latitude"].to_numpy(), lon=points["longitude"]
    )


def locate(grid: CellGrid, points: pd.DataFrame) -> np.ndarray:
    return grid.locate(
        lat=points["latitude"].to_numpy(), lon=points["longitude"].to_numpy(), h3_cells=points["h3_cell"]
    )


def month_index(points: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """0-based month of each point and the month labels (YYYY-MM, the source's local month), contiguous."""
    months = pd.DatetimeIndex(pd.to_datetime(points["local_date"])).to_period("M")
    labels = pd.period_range(months.min(), months.max(), freq="M")
    return months.asi8 - labels[0].ordinal, [str(label) for label in labels]


def month_start(label: str) -> dt.date:
    return dt.date.fromisoformat(f"{label}-01")


# --- runs ------------------------------------------------------------------------------------------------------


# Methods a backtest tunes: a stored run uses the parameters the latest backtest chose for them on its validation
# months, and computes them the way the backtest scored them.
TUNED = (HotspotRun.Method.NEAR_REPEAT, HotspotRun.Method.BLEND)


def _scores(method: str, grid: CellGrid, matrix: np.ndarray, params: dict) -> tuple[np.ndarray, hotspots.GiStar | None]:
    total = matrix.sum(axis=0)
    if method in TUNED:
        return hotspot_backtest.METHODS[method](hotspot_backtest.Context(grid=grid), matrix, **params), None
    if method == HotspotRun.Method.KDE:
        return hotspots.kde_surface(grid=grid, counts=total), None
    if method == HotspotRun.Method.PROSPECTIVE:
        return hotspots.prospective_scores(grid=grid, history=matrix), None
    if method == HotspotRun.Method.GI_STAR:
        result = hotspots.gi_star(values=total, neighbours=grid.neighbours())
        return result.z, result
    return total, None


def hotspot_run(
    *,
    method: str = HotspotRun.Method.GI_STAR,
    grid_kind: str = H3,
    resolution: int = DEFAULT_RESOLUTION,
    months: int = DEFAULT_MONTHS,
    category: str = "",
    kind: str = "",
    origin: str = REPORTED,
    area_code: str = "",
    boundaries=None,
) -> HotspotRun | None:
    """Compute one hotspot surface over the last `months` months of data and store it; None without data."""
    points = incident_points(category=category, kind=kind, origin=origin, area_code=area_code)
    if points.empty:
        return None
    period, labels = month_index(points)
    keep = period >= len(labels) - months
    points, period, labels = points[keep], period[keep] - max(len(labels) - months, 0), labels[-months:]
    grid = points_grid(points=points, grid_kind=grid_kind, size=resolution, area_code=area_code, boundaries=boundaries)
    cells = locate(grid, points)
    matrix = hotspots.period_matrix(grid=grid, cell_index=cells, period_index=period, periods=len(labels))
    tuned = tuned_params(method=method, category=category)
    values, gi = _scores(method, grid, matrix, tuned)
    run_fields = {
        "method": method,
        "grid_kind": grid_kind,
        "resolution": resolution,
        "period_start": month_start(labels[0]),
        "period_end": _next_month(month_start(labels[-1])),
        "category": category,
        "kind": kind,
        "origin_filter": origin,
        "area_code": area_code,
        "params": _params(method)
        | tuned
        | {"projection": {"lat0": grid.projection.lat0, "lon0": grid.projection.lon0}},
        "incidents": int((cells >= 0).sum()),
    }
    if method in (HotspotRun.Method.PROSPECTIVE, *TUNED):
        run_fields["target_period"] = run_fields["period_end"]
    return _store(run_fields, grid, values, gi, _cell_boroughs(cells, points["borough_id"].to_numpy()))


def _next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _params(method: str) -> dict:
    return {
        HotspotRun.Method.KDE: {"bandwidth_m": hotspots.KDE_BANDWIDTH_M},
        HotspotRun.Method.PROSPECTIVE: {
            "bandwidth_m": hotspots.PROSPECTIVE_BANDWIDTH_M,
            "half_life_months": hotspots.PROSPECTIVE_HALF_LIFE_PERIODS,
        },
        HotspotRun.Method.NEAR_REPEAT: {
            "bandwidth_m": near_repeat.NEIGHBOURHOOD_M,
            "pseudo_months": near_repeat.PSEUDO_MONTHS,
            "scale_m": near_repeat.SCALE_M,
            "half_life": near_repeat.HALF_LIFE_MONTHS,
            "weight": near_repeat.WEIGHT,
        },
        HotspotRun.Method.GI_STAR: {"neighbours": "grid_disk k=1 / queen", "fdr": "benjamini-hochberg", "alpha": 0.05},
    }.get(method, {})


def tuned_params(*, method: str, category: str = "") -> dict:
    """The parameters the latest hotspot backtest (of this category) chose for a tuned method; {} (the method's
    defaults) for other methods or before any backtest."""
    latest = _latest_backtest(category) if method in TUNED else None
    return dict((latest.results.get("methods", {}).get(method) or {}).get("params") or {}) if latest else {}


def chosen_method(*, category: str = "") -> str:
    """The method the latest hotspot backtest chose on its validation months, if runs store it; else Gi*."""
    latest = _latest_backtest(category)
    chosen = latest.best_method if latest else ""
    return chosen if chosen in HotspotRun.Method.values else HotspotRun.Method.GI_STAR


def _latest_backtest(category: str) -> HotspotBacktest | None:
    return HotspotBacktest.objects.filter(category=category).order_by("-created_at", "-pk").first()


def _cell_boroughs(cells: np.ndarray, boroughs: np.ndarray) -> dict[int, str]:
    """Each cell's borough: the one most of its incidents fall in."""
    votes: dict[int, Counter] = {}
    for cell, borough in zip(cells.tolist(), boroughs.tolist(), strict=True):
        if cell >= 0 and borough:
            votes.setdefault(cell, Counter())[borough] += 1
    return {cell: counter.most_common(1)[0][0] for cell, counter in votes.items()}


@transaction.atomic
def _store(run_fields: dict, grid: CellGrid, values: np.ndarray, gi, boroughs: dict[int, str]) -> HotspotRun:
    order = np.argsort(-values, kind="stable")
    significant = gi.significant if gi is not None else np.zeros(len(values), dtype=bool)
    keep = [i for rank, i in enumerate(order.tolist()) if significant[i] or (rank < MAX_STORED_CELLS and values[i] > 0)]
    run = HotspotRun.objects.create(**run_fields, cells_total=len(grid), significant_count=int(significant.sum()))
    rank_of = {cell: rank for rank, cell in enumerate(order.tolist())}
    HotspotCell.objects.bulk_create(
        [_cell_row(run, grid, i, rank_of[i] + 1, values, gi, boroughs.get(i, "")) for i in keep], batch_size=1000
    )
    return run


def _cell_row(run, grid, i: int, rank: int, values, gi, borough: str) -> HotspotCell:
    stats = {} if gi is None else {"z": float(gi.z[i]), "p": float(gi.p[i]), "q": float(gi.q[i])}
    return HotspotCell(
        run=run,
        cell=grid.cells[i],
        borough_code=borough,
        latitude=float(grid.lat[i]),
        longitude=float(grid.lon[i]),
        value=round(float(values[i]), 6),
        rank=rank,
        significant=bool(gi is not None and gi.significant[i]),
        **stats,
    )


def hotspots_refresh(*, category: str = "", resolution: int = DEFAULT_RESOLUTION) -> list[int]:
    """Every method on reported incidents of each kind (crimes, calls ...), force-wide on H3 (what the maps show);
    ids of the stored runs."""
    kinds = Incident.objects.filter(latitude__isnull=False).values_list("kind", flat=True).distinct()
    runs = [
        hotspot_run(method=method, resolution=resolution, category=category, kind=kind)
        for kind in sorted(set(kinds))
        for method in HotspotRun.Method
    ]
    return [run.pk for run in runs if run is not None]


# --- backtest --------------------------------------------------------------------------------------------------


def hotspot_backtest_run(
    *,
    category: str = "",
    kind: str = "",
    grid_kind: str = SQUARE,
    size: int = 250,
    test_from: str | None = None,
    test_to: str | None = None,
    origin: str = REPORTED,
    boundaries=None,
) -> HotspotBacktest | None:
    """Backtest every method and both baselines month by month from `test_from` (default: the last 12 months with
    data, at most half of them) to `test_to` (inclusive, default the last month with data), each month predicted from
    all months before it; the six months with data before `test_from` choose parameters and the method."""
    points = incident_points(category=category, kind=kind, origin=origin)
    if points.empty:
        return None
    period, labels = month_index(points)
    grid = points_grid(points=points, grid_kind=grid_kind, size=size, boundaries=boundaries)
    matrix = hotspots.period_matrix(
        grid=grid, cell_index=locate(grid, points), period_index=period, periods=len(labels)
    )
    with_data = [i for i in range(len(labels)) if matrix[i].sum() > 0]
    if len(with_data) < 2:
        return None
    # by default the last 12 months that hold data (gaps in an archive do not empty the test window), at most half
    # of them, so the months before can choose each method's parameters (validation) and give it a history
    default_first = with_data[len(with_data) - min(12, len(with_data) // 2)]
    first_test = labels.index(test_from) if test_from in labels else default_first
    last_test = labels.index(test_to) if test_to in labels else len(labels) - 1
    result = hotspot_backtest.backtest(grid=grid, matrix=matrix, test_from=first_test, test_to=last_test)
    result["test_months"] = [labels[i] for i in with_data if first_test <= i <= last_test]
    result["validation_months"] = [labels[i] for i in result.pop("validation_periods")]
    return HotspotBacktest.objects.create(
        category=category,
        origin_filter=origin,
        grid_kind=grid_kind,
        resolution=size,
        test_from=month_start(labels[first_test]),
        periods=result["periods"],
        cells=result["cells"],
        best_method=hotspot_backtest.best_method(result),
        results=result,
    )
