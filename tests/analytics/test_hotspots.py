"""Hotspot statistics on synthetic points: a planted cluster is found, uniform noise is not (after FDR)."""

import numpy as np
import pytest

from analytics.hotspots import methods as hotspots
from analytics.hotspots.grid import H3, SQUARE, study_grid

SQUARE_AREA = {
    "type": "Polygon",
    "coordinates": [[[-0.2, 51.45], [-0.1, 51.45], [-0.1, 51.52], [-0.2, 51.52], [-0.2, 51.45]]],
}


def _uniform_points(rng, n):
    return rng.uniform(51.45, 51.52, n), rng.uniform(-0.2, -0.1, n)


@pytest.fixture(params=[(SQUARE, 250), (H3, 9)], ids=["square-250", "h3-9"])
def grid(request):
    kind, size = request.param
    return study_grid(kind=kind, size=size, boundaries=[SQUARE_AREA])


def _counts(grid, lat, lon):
    return hotspots.cell_counts(grid=grid, cell_index=grid.locate(lat=lat, lon=lon))


def test_planted_cluster_is_significant_and_noise_is_not(grid):
    rng = np.random.default_rng(1)
    lat, lon = _uniform_points(rng, 3000)
    noise = hotspots.gi_star(values=_counts(grid, lat, lon), neighbours=grid.neighbours())
    # Gi* windows overlap, so one chance outlier can flag a few neighbours: 'almost none' is under 0.5 % of cells
    assert noise.significant.mean() < 0.005

    planted_lat = np.concatenate([lat, rng.normal(51.49, 0.0015, 300)])
    planted_lon = np.concatenate([lon, rng.normal(-0.15, 0.0025, 300)])
    result = hotspots.gi_star(values=_counts(grid, planted_lat, planted_lon), neighbours=grid.neighbours())
    centre = grid.locate(lat=[51.49], lon=[-0.15])[0]
    assert result.significant[centre]
    assert result.q[centre] < 0.01


def test_study_area_covers_every_cell_of_the_boundary_not_only_cells_with_crime():
    grid = study_grid(kind=SQUARE, size=250, boundaries=[SQUARE_AREA])
    width_m = 0.1 * 111_195 * np.cos(np.radians(51.485))
    height_m = 0.07 * 111_195
    assert len(grid) >= (width_m / 250) * (height_m / 250)
    assert len(grid) <= (width_m / 250 + 2) * (height_m / 250 + 2)


def test_h3_cells_at_a_coarser_resolution_are_parents_of_the_res9_cells():
    import h3

    grid = study_grid(kind=H3, size=8, boundaries=[SQUARE_AREA])
    res9 = h3.latlng_to_cell(51.49, -0.15, 9)
    index = grid.locate(lat=[51.49], lon=[-0.15], h3_cells=[res9])[0]
    assert grid.cells[index] == h3.cell_to_parent(res9, 8)


def test_kde_keeps_the_total_and_spreads_to_neighbours():
    grid = study_grid(kind=SQUARE, size=250, boundaries=[SQUARE_AREA])
    counts = np.zeros(len(grid))
    centre = grid.locate(lat=[51.49], lon=[-0.15])[0]
    counts[centre] = 10
    surface = hotspots.kde_surface(grid=grid, counts=counts, bandwidth_m=250)
    assert surface.sum() == pytest.approx(10)
    assert surface.argmax() == centre
    assert (surface > 0.01).sum() > 5


def test_prospective_scores_favour_recent_events():
    grid = study_grid(kind=SQUARE, size=250, boundaries=[SQUARE_AREA])
    old, recent = grid.locate(lat=[51.46, 51.50], lon=[-0.18, -0.12])
    history = np.zeros((12, len(grid)))
    history[0, old] = 5
    history[11, recent] = 3
    scores = hotspots.prospective_scores(grid=grid, history=history, half_life=3)
    assert scores[recent] > scores[old]


def test_benjamini_hochberg_matches_hand_computation():
    q = hotspots.benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.2]))
    # sorted p 0.01, 0.03, 0.04, 0.2 -> p*n/rank 0.04, 0.06, 0.0533, 0.2 -> running minimum from the top
    np.testing.assert_allclose(q, [0.04, 0.16 / 3, 0.16 / 3, 0.2], rtol=1e-9)


@pytest.mark.parametrize(("kind", "size"), [(SQUARE, 250), (H3, 9)])
def test_far_apart_data_without_boundaries_uses_occupied_cells_not_a_continental_box(kind, size):
    lat, lon = np.array([51.5, 51.501, 39.29]), np.array([-0.12, -0.121, -76.61])  # London and Baltimore
    grid = study_grid(kind=kind, size=size, boundaries=[], lat=lat, lon=lon)
    assert len(grid) < 100
    assert (grid.locate(lat=lat, lon=lon) >= 0).all()
