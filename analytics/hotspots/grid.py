"""Cells of a study area: 250 m squares on a local metric grid, or H3 hexagons.

The study area is every cell covering the force boundary (the boundary polygons of the imported boroughs), or the
bounding box of the data when no boundary is known. Hit rates and PAI are shares of THIS area, never of the cells
that happened to have a crime, which would flatter every method.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import h3
import numpy as np
import shapely
from scipy import sparse
from shapely.geometry import shape

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
SQUARE, H3 = "square", "h3"
# A bounding box holding more cells than this is not one force's area: the grid falls back to occupied cells.
MAX_BBOX_CELLS = 400_000


@dataclass(frozen=True)
class Projection:
    """Local equirectangular projection to metres: accurate to well under 1 % across a city."""

    lat0: float
    lon0: float

    def to_xy(self, lat, lon) -> tuple[np.ndarray, np.ndarray]:
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        x = (lon - self.lon0) * METRES_PER_DEGREE * math.cos(math.radians(self.lat0))
        return x, (lat - self.lat0) * METRES_PER_DEGREE

    def to_latlon(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        lon = self.lon0 + x / (METRES_PER_DEGREE * math.cos(math.radians(self.lat0)))
        return self.lat0 + y / METRES_PER_DEGREE, lon


@dataclass
class CellGrid:
    """The cells of one study area, in a fixed order; arrays indexed by that order describe values per cell."""

    kind: str
    size: int  # metres for squares, resolution for H3
    cells: list[str]
    lat: np.ndarray
    lon: np.ndarray
    projection: Projection
    _index: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._index = {cell: i for i, cell in enumerate(self.cells)}
        self.x, self.y = self.projection.to_xy(self.lat, self.lon)

    def __len__(self) -> int:
        return len(self.cells)

    @property
    def label(self) -> str:
        return f"{self.kind}-{self.size}"

    def locate(self, *, lat, lon, h3_cells=None) -> np.ndarray:
        """Index of the cell each point falls in, -1 outside the study area."""
        keys = self.point_cells(lat=lat, lon=lon, h3_cells=h3_cells)
        return np.fromiter((self._index.get(key, -1) for key in keys), dtype=np.int64, count=len(keys))

    def point_cells(self, *, lat, lon, h3_cells=None) -> list[str]:
        if self.kind == SQUARE:
            ix, iy = square_index(self.projection, lat, lon, self.size)
            return [f"sq{self.size}:{a}:{b}" for a, b in zip(ix.tolist(), iy.tolist(), strict=True)]
        if h3_cells is not None and self.size <= 9:
            return [h3.cell_to_parent(cell, self.size) if cell else "" for cell in h3_cells]
        return [h3.latlng_to_cell(a, b, self.size) for a, b in zip(lat, lon, strict=True)]

    def neighbours(self) -> sparse.csr_matrix:
        """Binary adjacency including each cell itself (queen contiguity for squares, grid_disk k=1 for H3)."""
        rows, cols = [], []
        for i, cell in enumerate(self.cells):
            for other in self._adjacent(cell):
                j = self._index.get(other)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        data = np.ones(len(rows))
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(self), len(self)))

    def _adjacent(self, cell: str) -> list[str]:
        if self.kind == H3:
            return list(h3.grid_disk(cell, 1))
        _prefix, a, b = cell.split(":")
        a, b = int(a), int(b)
        return [f"sq{self.size}:{a + da}:{b + db}" for da in (-1, 0, 1) for db in (-1, 0, 1)]

    def cell_area_km2(self) -> float:
        if self.kind == SQUARE:
            return (self.size / 1000) ** 2
        return h3.average_hexagon_area(self.size, unit="km^2")

    def polygon(self, cell: str) -> list[list[float]]:
        """GeoJSON ring [[lon, lat], ...] of one cell."""
        if self.kind == H3:
            ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(cell)]
            return ring + ring[:1]
        _prefix, a, b = cell.split(":")
        x0, y0 = int(a) * self.size, int(b) * self.size
        xs = np.array([x0, x0 + self.size, x0 + self.size, x0, x0])
        ys = np.array([y0, y0, y0 + self.size, y0 + self.size, y0])
        lat, lon = self.projection.to_latlon(xs, ys)
        return [[round(float(o), 6), round(float(a_), 6)] for a_, o in zip(lat, lon, strict=True)]


def square_index(projection: Projection, lat, lon, size: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = projection.to_xy(lat, lon)
    return np.floor(x / size).astype(np.int64), np.floor(y / size).astype(np.int64)


def boundaries_from_geojson(path: str | Path) -> list[dict]:
    """Geometries of a GeoJSON FeatureCollection file (for example the London borough boundaries)."""
    data = json.loads(Path(path).read_text())
    return [feature["geometry"] for feature in data.get("features", []) if feature.get("geometry")]


def boundaries_from_areas(*, area_codes=None) -> list[dict]:
    """Boundaries of the imported boroughs/BCUs/districts (optionally only some)."""
    from ingestion.models import Area

    areas = Area.objects.filter(kind__in=["borough", "bcu", "district"], boundary__isnull=False)
    if area_codes:
        areas = areas.filter(code__in=list(area_codes))
    return [geometry for geometry in areas.values_list("boundary", flat=True) if geometry]


def study_grid(*, kind: str, size: int, boundaries: list[dict], lat=None, lon=None) -> CellGrid:
    """All cells covering the boundaries; without boundaries, all cells of the data's bounding box, unless that box
    would hold more than MAX_BBOX_CELLS (data from far-apart places): then the occupied cells and their neighbours."""
    area = shapely.union_all([shape(geometry) for geometry in boundaries]) if boundaries else _bbox(lat, lon)
    minx, miny, maxx, maxy = area.bounds
    projection = Projection(lat0=round((miny + maxy) / 2, 4), lon0=round((minx + maxx) / 2, 4))
    if not boundaries and _bbox_cells(area, kind, size, projection) > MAX_BBOX_CELLS:
        cells = _occupied_with_neighbours(kind, size, projection, lat, lon)
        return _grid_of(kind, size, cells, projection)
    builder = _square_cells if kind == SQUARE else _h3_cells
    cells, lat_c, lon_c = builder(area, size, projection)
    return CellGrid(kind=kind, size=size, cells=cells, lat=lat_c, lon=lon_c, projection=projection)


def _bbox_cells(area, kind: str, size: int, projection: Projection) -> float:
    minx, miny, maxx, maxy = area.bounds
    (x0, x1), (y0, y1) = projection.to_xy([miny, maxy], [minx, maxx])
    cell_m2 = size**2 if kind == SQUARE else h3.average_hexagon_area(size, unit="m^2")
    return abs(x1 - x0) * abs(y1 - y0) / cell_m2


def _occupied_with_neighbours(kind: str, size: int, projection: Projection, lat, lon) -> list[str]:
    probe = CellGrid(kind=kind, size=size, cells=[], lat=np.array([]), lon=np.array([]), projection=projection)
    occupied = set(probe.point_cells(lat=np.asarray(lat, dtype=float), lon=np.asarray(lon, dtype=float)))
    return sorted({neighbour for cell in occupied for neighbour in probe._adjacent(cell)})


def _grid_of(kind: str, size: int, cells: list[str], projection: Projection) -> CellGrid:
    if kind == H3:
        centres = np.array([h3.cell_to_latlng(cell) for cell in cells]).reshape(-1, 2)
        lat, lon = centres[:, 0], centres[:, 1]
    else:
        ix, iy = (
            np.array([int(part) for part in parts]) for parts in zip(*(c.split(":")[1:] for c in cells), strict=True)
        )
        lat, lon = projection.to_latlon((ix + 0.5) * size, (iy + 0.5) * size)
    return CellGrid(kind=kind, size=size, cells=cells, lat=lat, lon=lon, projection=projection)


def _bbox(lat, lon):
    if lat is None or len(lat) == 0:
        raise ValueError("A study area needs either boundaries or some located incidents.")
    return shapely.box(float(np.min(lon)), float(np.min(lat)), float(np.max(lon)), float(np.max(lat)))


def _square_cells(area, size: int, projection: Projection):
    """Squares intersecting the area: tested in metres so the boxes are true squares."""
    metric = shapely.transform(area, lambda coords: np.column_stack(projection.to_xy(coords[:, 1], coords[:, 0])))
    minx, miny, maxx, maxy = metric.bounds
    ix = np.arange(math.floor(minx / size), math.floor(maxx / size) + 1)
    iy = np.arange(math.floor(miny / size), math.floor(maxy / size) + 1)
    gx, gy = (a.ravel() for a in np.meshgrid(ix, iy))
    boxes = shapely.box(gx * size, gy * size, (gx + 1) * size, (gy + 1) * size)
    shapely.prepare(metric)
    keep = shapely.intersects(metric, boxes)
    gx, gy = gx[keep], gy[keep]
    lat, lon = projection.to_latlon((gx + 0.5) * size, (gy + 0.5) * size)
    return [f"sq{size}:{a}:{b}" for a, b in zip(gx.tolist(), gy.tolist(), strict=True)], lat, lon


def _h3_cells(area, size: int, projection: Projection):
    """Hexagons whose centre is inside the area, plus those the boundary line passes through."""
    cells = set(h3.geo_to_cells(area.__geo_interface__, size))
    for line in _boundary_lines(area):
        cells.update(h3.latlng_to_cell(lat, lng, size) for lng, lat in _densify(line, size))
    ordered = sorted(cells)
    centres = np.array([h3.cell_to_latlng(cell) for cell in ordered]).reshape(-1, 2)
    return ordered, centres[:, 0], centres[:, 1]


def _boundary_lines(area):
    boundary = area.boundary
    return list(getattr(boundary, "geoms", [boundary]))


def _densify(line, resolution: int):
    step_degrees = h3.average_hexagon_edge_length(resolution, unit="m") / METRES_PER_DEGREE / 2
    return shapely.segmentize(line, step_degrees).coords
