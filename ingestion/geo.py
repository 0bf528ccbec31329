"""Geometry for ingestion: point-in-polygon area assignment and polygons for the data.police.uk API.

Boundaries are GeoJSON geometries in WGS84 (x = longitude, y = latitude) kept on `Area.boundary`.
"""

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry import Polygon, box, mapping, shape

from ingestion.models import Area

OUTLINE_DEGREES = 0.0004  # about 30 m: keeps borough outlines recognisable at a tenth of the size


def outline_of(geometry: dict) -> dict:
    """A boundary simplified for drawing on a map (`Area.outline`)."""
    return mapping(shape(geometry).simplify(OUTLINE_DEGREES, preserve_topology=True))


def geometry_from_geojson(geometry: dict):
    return shape(geometry)


def polygons_of(geometry) -> list[Polygon]:
    """The simple polygons of a Polygon or MultiPolygon (empty and non-areal parts dropped)."""
    parts = getattr(geometry, "geoms", [geometry])
    return [part for part in parts if isinstance(part, Polygon) and not part.is_empty]


def quadrants(polygon: Polygon) -> list[Polygon]:
    """The polygon cut into up to four pieces along the middle of its bounding box."""
    minx, miny, maxx, maxy = polygon.bounds
    midx, midy = (minx + maxx) / 2, (miny + maxy) / 2
    boxes = [
        box(minx, miny, midx, midy),
        box(midx, miny, maxx, midy),
        box(minx, midy, midx, maxy),
        box(midx, midy, maxx, maxy),
    ]
    pieces = []
    for cell in boxes:
        pieces.extend(polygons_of(polygon.intersection(cell)))
    return pieces


def poly_param(polygon: Polygon) -> str:
    """The API's `poly` parameter: the exterior ring as `lat,lng:lat,lng:...` (6 decimals, about 10 cm)."""
    return ":".join(f"{lat:.6f},{lng:.6f}" for lng, lat in polygon.exterior.coords)


class BoundaryIndex:
    """Finds which area each point falls in, for many points at once (STRtree, vectorised)."""

    def __init__(self, areas: Sequence[tuple[str, dict]]) -> None:
        areas = sorted(areas, key=lambda area: area[0])
        self.codes = np.array([code for code, _ in areas], dtype=object)
        self.tree = shapely.STRtree([geometry_from_geojson(geometry) for _, geometry in areas])

    @classmethod
    def for_kind(cls, kind: str) -> "BoundaryIndex":
        rows = Area.objects.filter(kind=kind, boundary__isnull=False).values_list("code", "boundary")
        return cls(list(rows))

    def __len__(self) -> int:
        return len(self.codes)

    def locate(self, *, lons: Iterable[float | None], lats: Iterable[float | None]) -> list[str | None]:
        """Area code for each point, None where a point is missing or outside every area."""
        x = np.array([np.nan if v is None else v for v in lons], dtype=float)
        y = np.array([np.nan if v is None else v for v in lats], dtype=float)
        found = np.full(len(x), None, dtype=object)
        if len(self.codes) and len(x):
            points = shapely.points(x, y)
            point_idx, area_idx = self.tree.query(points, predicate="within")
            # A point in two overlapping areas takes the lowest code (codes are sorted), deterministically.
            order = np.lexsort((area_idx, point_idx))
            point_idx, area_idx = point_idx[order], area_idx[order]
            first = np.unique(point_idx, return_index=True)[1]
            found[point_idx[first]] = self.codes[area_idx[first]]
        return found.tolist()
