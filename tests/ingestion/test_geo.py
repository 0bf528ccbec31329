"""Point-in-polygon area assignment and the polygon helpers of the API client."""

from shapely.geometry import box, mapping

from ingestion.geo import BoundaryIndex, poly_param, quadrants


def test_points_take_the_code_of_the_area_they_fall_in_and_none_outside():
    index = BoundaryIndex([("B", mapping(box(1, 0, 2, 1))), ("A", mapping(box(0, 0, 1, 1)))])
    codes = index.locate(lons=[0.5, 1.5, 5.0, None], lats=[0.5, 0.5, 0.5, None])
    assert codes == ["A", "B", None, None]


def test_a_point_in_overlapping_areas_takes_the_lowest_code():
    index = BoundaryIndex([("Z", mapping(box(0, 0, 2, 2))), ("M", mapping(box(0, 0, 1, 1)))])
    assert index.locate(lons=[0.5], lats=[0.5]) == ["M"]


def test_quadrants_cover_the_polygon_exactly():
    polygon = box(0, 0, 4, 2).union(box(0, 2, 1, 3))
    pieces = quadrants(polygon)
    assert 2 <= len(pieces) <= 4
    assert sum(piece.area for piece in pieces) == polygon.area


def test_poly_param_is_lat_lng_pairs():
    assert poly_param(box(-0.1, 51.5, 0.0, 51.6)).split(":")[0] == "51.500000,0.000000"
