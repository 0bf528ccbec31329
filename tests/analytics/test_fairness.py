"""Bias report arithmetic and the feedback-loop simulation."""

import numpy as np
import pytest

from analytics.deployment import fairness
from analytics.deployment.fairness import AreaShare


def test_units_and_demand_shares_by_decile():
    rows = [
        AreaShare(code="a", decile=1, demand=60, units=3),
        AreaShare(code="b", decile=1, demand=20, units=3),
        AreaShare(code="c", decile=10, demand=20, units=4),
    ]
    report = fairness.by_decile(rows)
    assert [row["decile"] for row in report] == [1, 10]
    assert report[0]["demand_share"] == pytest.approx(0.8)
    assert report[0]["units_share"] == pytest.approx(0.6)
    assert report[0]["ratio"] == pytest.approx(0.75)
    assert report[1]["ratio"] == pytest.approx(2.0)
    assert fairness.disparity(report) == {"max_ratio": 2.0, "min_ratio": 0.75}


def test_ranking_on_all_incidents_locks_in_while_reported_only_tracks_demand():
    rng = np.random.default_rng(4)
    rates = rng.gamma(2.0, 2.0, size=60)
    result = fairness.feedback_simulation(rates=rates, patrolled=10, rounds=30, presence_effect=3.0, seed=1)
    reported, everything = result["series"]["reported"], result["series"]["all"]
    assert result["drift"]["all"] > result["drift"]["reported"]
    assert reported["overlap"][-1] >= reported["overlap"][0]
    assert everything["overlap"][-1] <= everything["overlap"][0] + 0.1
    assert max(everything["generated_share"]) > 0
