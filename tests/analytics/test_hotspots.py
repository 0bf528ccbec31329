"""Hotspot statistics on synthetic points: a planted cluster is found, uniform noise is not (after FDR)."""

import numpy as np
import pytest

from analytics.hotspots import methods as hotspots
from analytics.hotspots import near_repeat
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


def _two_cells(grid):
    return grid.locate(lat=[51.46, 51.50], lon=[-0.18, -0.12])


def test_near_repeat_boosts_cells_near_last_months_events_over_equal_long_run_cells():
    grid = study_grid(kind=SQUARE, size=250, boundaries=[SQUARE_AREA])
    quiet, repeat = _two_cells(grid)
    history = np.zeros((12, len(grid)))
    history[0, quiet] = history[0, repeat] = 4  # the same long-run count
    history[11, repeat] = 1  # one burglary last month beside `repeat` ...
    history[0, repeat] -= 1  # ... still the same long run
    neighbour = grid.locate(lat=[51.50], lon=[-0.12 + 250 / (111_195 * np.cos(np.radians(51.5)))])[0]
    kwargs = {
        "history": history,
        "neighbourhood": near_repeat.row_normalised(hotspots.gaussian_kernel(grid=grid, bandwidth_m=250)),
        "spread": near_repeat.exponential_kernel(grid=grid, scale_m=200),
    }
    boosted = near_repeat.near_repeat_scores(**kwargs, weight=0.2)
    assert boosted[repeat] > boosted[quiet]
    assert boosted[neighbour] > near_repeat.near_repeat_scores(**kwargs, weight=0.0)[neighbour]  # within reach
    far = grid.locate(lat=[51.515], lon=[-0.19])[0]
    assert boosted[far] == 0


def test_exponential_kernel_decays_with_distance_and_is_one_on_the_cell_itself():
    grid = study_grid(kind=SQUARE, size=250, boundaries=[SQUARE_AREA])
    kernel = near_repeat.exponential_kernel(grid=grid, scale_m=200).toarray()
    centre = grid.locate(lat=[51.49], lon=[-0.15])[0]
    distance = np.hypot(grid.x - grid.x[centre], grid.y - grid.y[centre])
    assert kernel[centre, centre] == pytest.approx(1.0)
    near, farther = np.argsort(distance)[1], np.argsort(distance)[20]
    assert kernel[centre, near] == pytest.approx(np.exp(-distance[near] / 200))
    assert kernel[centre, near] > kernel[centre, farther] > 0
    assert (kernel[centre, distance > 600] == 0).all()


def test_shrunk_rate_breaks_ties_by_the_neighbourhood_and_weighs_it_less_with_more_history():
    grid = study_grid(kind=SQUARE, size=250, boundaries=[SQUARE_AREA])
    lonely, crowded = _two_cells(grid)
    ring = hotspots.gaussian_kernel(grid=grid, bandwidth_m=250)[crowded].indices
    neighbourhood = near_repeat.row_normalised(hotspots.gaussian_kernel(grid=grid, bandwidth_m=250))

    def rates(months):
        history = np.zeros((months, len(grid)))
        history[0, lonely] = history[0, crowded] = 3
        history[0, ring[ring != crowded]] = 2
        return near_repeat.shrunk_rate(history=history, neighbourhood=neighbourhood, pseudo_months=4)

    short, long = rates(6), rates(24)
    assert short[crowded] > short[lonely]  # tied counts, the busier neighbourhood ranks higher
    assert short[crowded] / short[lonely] > long[crowded] / long[lonely] > 1  # its pull fades with more history
