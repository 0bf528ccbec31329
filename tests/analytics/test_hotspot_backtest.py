"""Hotspot backtests: hit rate and PAI from the past only, shares of the whole study area, fair ties."""

import numpy as np
import pytest

from analytics import hotspot_backtest
from analytics.grid import SQUARE, study_grid

AREA = {"type": "Polygon", "coordinates": [[[-0.2, 51.45], [-0.1, 51.45], [-0.1, 51.52], [-0.2, 51.52], [-0.2, 51.45]]]}


def test_hit_rate_counts_the_top_cells_and_shares_ties_pro_rata():
    scores = np.array([5.0, 3, 3, 0, 0])
    actual = np.array([2.0, 4, 0, 2, 2])
    assert hotspot_backtest.hit_rate(scores=scores, actual=actual, cells=1) == pytest.approx(0.2)
    # two cells tied for the second place: half of their 4 incidents are expected to be captured
    assert hotspot_backtest.hit_rate(scores=scores, actual=actual, cells=2) == pytest.approx(0.4)


def test_stable_hotspots_are_predicted_and_long_run_beats_last_period():
    grid = study_grid(kind=SQUARE, size=250, boundaries=[AREA])
    rng = np.random.default_rng(3)
    rate = np.full(len(grid), 0.05)
    hot = rng.choice(len(grid), size=len(grid) // 50, replace=False)
    rate[hot] = 3.0
    matrix = rng.poisson(rate, size=(24, len(grid))).astype(float)
    result = hotspot_backtest.backtest(grid=grid, matrix=matrix, test_from=12)
    methods = result["methods"]
    assert result["periods"] == 12
    assert set(result["baselines"]) <= set(methods)
    assert methods["long-run"]["hit_rate"]["5"] > methods["last-period"]["hit_rate"]["5"]
    assert methods["long-run"]["pai"]["5"] > 5
    # PAI is the hit rate divided by the share of the WHOLE study area
    share = round(len(grid) * 0.05) / len(grid)
    assert methods["kde"]["pai"]["5"] == pytest.approx(methods["kde"]["hit_rate"]["5"] / share, rel=1e-2)


def test_a_period_is_never_scored_with_its_own_counts():
    grid = study_grid(kind=SQUARE, size=250, boundaries=[AREA])
    matrix = np.zeros((3, len(grid)))
    matrix[0, 0] = matrix[1, 0] = 5
    matrix[2, len(grid) - 1] = 5  # the test period's crime is somewhere the past never saw
    result = hotspot_backtest.backtest(grid=grid, matrix=matrix, test_from=2)
    # only the random tie-break among never-seen cells can catch it; its own counts would give 1.0
    assert result["methods"]["long-run"]["hit_rate"]["1"] < 0.02
