"""Hotspot backtests: hit rate and PAI from the past only, shares of the whole study area, fair ties."""

import numpy as np
import pytest

from analytics.hotspots import backtest as hotspot_backtest
from analytics.hotspots.grid import SQUARE, study_grid

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


def _stable_hotspots(periods: int, seed: int = 3):
    grid = study_grid(kind=SQUARE, size=250, boundaries=[AREA])
    rng = np.random.default_rng(seed)
    rate = np.full(len(grid), 0.05)
    rate[rng.choice(len(grid), size=len(grid) // 50, replace=False)] = 3.0
    return grid, rng.poisson(rate, size=(periods, len(grid))).astype(float)


def test_validation_periods_come_before_the_test_periods_and_choose_the_method():
    grid, matrix = _stable_hotspots(20)
    result = hotspot_backtest.backtest(grid=grid, matrix=matrix, test_from=12)
    assert result["validation_periods"] == [6, 7, 8, 9, 10, 11]  # the six before the first test period
    assert result["periods"] == 8
    chosen = result["chosen"]
    assert chosen["method"] not in hotspot_backtest.BASELINES
    assert chosen["params"] == result["methods"][chosen["method"]]["params"]
    assert chosen["ratio_interval"][0] <= chosen["ratio_to_long_run"] <= chosen["ratio_interval"][1]
    assert hotspot_backtest.best_method(result) == chosen["method"]


def test_the_chosen_method_is_scored_on_test_periods_only():
    grid, matrix = _stable_hotspots(13)
    # the test period's crimes move to cells the past never saw: a choice or score made on it would know it
    matrix[12] = 0.0
    matrix[12, : len(grid) // 10] = 2.0
    result = hotspot_backtest.backtest(grid=grid, matrix=matrix, test_from=12)
    chosen = result["chosen"]
    assert chosen["validation_hit_rate"]["5"] > 0.5  # the stable hotspots were easy on validation
    assert chosen["hit_rate"]["5"] < 0.2  # and the test score is the one on the moved crimes
    by_hand = [
        hotspot_backtest.hit_rate(
            scores=hotspot_backtest.METHODS[chosen["method"]](
                hotspot_backtest.Context(grid=grid), matrix[:t], **result["methods"][chosen["method"]]["params"]
            ),
            actual=matrix[t],
            cells=round(len(grid) * 0.05),
        )
        for t in (12,)
    ]
    assert chosen["hit_rate"]["5"] == pytest.approx(np.mean(by_hand), abs=1e-4)


def test_blend_weights_are_whole_steps_that_sum_to_one():
    weights = hotspot_backtest.simplex(3, step=0.5)
    assert sorted(weights) == sorted(
        [(1.0, 0, 0), (0, 1.0, 0), (0, 0, 1.0), (0.5, 0.5, 0), (0.5, 0, 0.5), (0, 0.5, 0.5)]
    )


def _bursts_that_repeat_only_in_the_test_period(seed: int = 5):
    """Stable hotspots (5 % of cells, 2 a month) plus bursts of 10 burglaries in 20 other cells each month. On the
    validation months a burst never repeats, so a strong near-repeat boost only pushes stable hotspots out of the
    top 5 %; in the one test month the burglaries come back exactly where last month's bursts were."""
    grid = study_grid(kind=SQUARE, size=250, boundaries=[AREA])
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(grid))
    hot, cold = order[: round(len(grid) * 0.05)], order[round(len(grid) * 0.05) :]
    rate = np.zeros(len(grid))
    rate[hot] = 2.0
    matrix = rng.poisson(rate, size=(13, len(grid))).astype(float)
    bursts = [rng.choice(cold, size=20, replace=False) for _ in range(12)]
    for month, cells in enumerate(bursts):
        matrix[month, cells] += 10
    matrix[12] = 0.0
    matrix[12, bursts[11]] = 10
    return grid, matrix


def test_near_repeat_weight_is_chosen_on_validation_months_even_when_the_test_month_wants_another():
    grid, matrix = _bursts_that_repeat_only_in_the_test_period()
    methods = {name: hotspot_backtest.METHODS[name] for name in (hotspot_backtest.LONG_RUN, "near-repeat")}
    result = hotspot_backtest.backtest(grid=grid, matrix=matrix, test_from=12, methods=methods)
    chosen = result["methods"]["near-repeat"]["params"]
    assert chosen["weight"] == 0.0  # validation: bursts never repeat
    context, cells = hotspot_backtest.Context(grid=grid), round(len(grid) * 0.05)

    def test_hit_rate(**params):
        scores = hotspot_backtest.METHODS["near-repeat"](context, matrix[:12], **params)
        return hotspot_backtest.hit_rate(scores=scores, actual=matrix[12], cells=cells)

    boosted = chosen | {"weight": 0.4}
    assert test_hit_rate(**boosted) > 0.9 > test_hit_rate(**chosen)  # the test month would have preferred a boost
    assert result["methods"]["near-repeat"]["hit_rate"]["5"] == pytest.approx(test_hit_rate(**chosen), abs=1e-4)


def test_near_repeat_options_list_a_zero_boost_once_per_neighbourhood_setting():
    options = hotspot_backtest.near_repeat_options()
    unboosted = [option for option in options if option["weight"] == 0]
    assert len(unboosted) == len({(o["bandwidth_m"], o["pseudo_months"]) for o in options})
    assert all("scale_m" not in option for option in unboosted)
    assert len(options) == len({tuple(sorted(option.items())) for option in options})


def test_hindsight_ranks_a_test_period_by_every_other_period_never_its_own():
    grid = study_grid(kind=SQUARE, size=250, boundaries=[AREA])
    matrix = np.zeros((4, len(grid)))
    matrix[0, 0] = matrix[1, 0] = 5
    matrix[2, 7] = 5  # the test period: where the past never saw crime ...
    matrix[3, 7] = 1  # ... but a later period did
    result = hotspot_backtest.backtest(grid=grid, matrix=matrix, test_from=2, test_to=2)
    assert result["hindsight"]["hit_rate"]["5"] == pytest.approx(1.0)  # a later period is allowed: not a forecast
    assert result["methods"]["long-run"]["hit_rate"]["5"] < 0.1
    matrix[3] = 0.0
    alone = hotspot_backtest.backtest(grid=grid, matrix=matrix, test_from=2, test_to=2)["hindsight"]
    assert alone["hit_rate"]["5"] < 0.1  # its own counts were never used
