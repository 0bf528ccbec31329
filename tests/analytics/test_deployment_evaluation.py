"""Difference-in-differences of a pilot against comparison areas, on synthetic calls with a known effect."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from analytics.deployment import evaluation

START = dt.date(2024, 3, 4)


def synthetic(*, effect: float, weeks_before: int = 10, weeks_after: int = 8, seed: int = 0) -> pd.DataFrame:
    """Calls in two pilot and two comparison areas; each week shares a shock across groups; response times of the
    pilot areas drop by `effect` minutes from START."""
    rng = np.random.default_rng(seed)
    rows = []
    for week in range(-weeks_before, weeks_after):
        shock = rng.normal(0, 1.5)
        for group in (evaluation.PILOT, evaluation.COMPARISON):
            for _call in range(rng.poisson(60)):
                day = START + dt.timedelta(days=int(week * 7 + rng.integers(7)))
                shift = effect if group == evaluation.PILOT and week >= 0 else 0.0
                rows.append(
                    {
                        "group": group,
                        "day": day,
                        "response_minutes": 12 + shock + shift + rng.normal(0, 3),
                        "closed": rng.random() < 0.7,
                    }
                )
    return pd.DataFrame(rows)


def run(frame: pd.DataFrame, weeks_after: int = 8) -> dict:
    window = evaluation.Window(start=START, weeks_before=10, weeks_after=weeks_after)
    return evaluation.evaluate(frame, window=window, areas_in_group={"pilot": 2, "comparison": 2})


def test_a_known_cut_in_response_time_lies_inside_the_interval_which_excludes_zero():
    result = run(synthetic(effect=-2.0))["metrics"]["response_minutes"]
    assert result["low"] <= -2.0 <= result["high"]
    assert result["high"] < 0
    assert result["effect"] == pytest.approx(-2.0, abs=0.7)
    assert result["verdict"] == "lower in the pilot areas"


def test_no_effect_gives_an_interval_around_zero_and_says_no_measurable_difference():
    # a 95% interval misses a null effect on about 6 in 100 seeds here (measured on 100): this seed is one of the 94
    metrics = run(synthetic(effect=0.0, seed=1))["metrics"]
    for name in ("response_minutes", "closed_share", "calls_per_area"):
        assert metrics[name]["low"] <= 0 <= metrics[name]["high"], name
        assert metrics[name]["verdict"] == evaluation.NO_DIFFERENCE


def test_too_few_weeks_after_the_start_is_not_yet_enough_data():
    frame = synthetic(effect=-5.0, weeks_after=2)
    result = run(frame, weeks_after=2)
    assert not result["enough"]
    assert result["metrics"]["response_minutes"]["effect"] is None
    assert result["metrics"]["response_minutes"]["verdict"] == evaluation.NOT_ENOUGH


def test_response_time_not_recorded_is_said_so():
    frame = synthetic(effect=0.0).assign(response_minutes=np.nan)
    assert run(frame)["metrics"]["response_minutes"]["verdict"] == evaluation.NOT_RECORDED


def test_window_counts_whole_weeks_either_side_of_the_start():
    window = evaluation.window_for(
        start=START, first_data=START - dt.timedelta(days=200), last_data=START + dt.timedelta(days=20)
    )
    assert (window.weeks_before, window.weeks_after) == (evaluation.MAX_WEEKS_BEFORE, 3)


def test_comparison_areas_are_those_with_similar_demand_before():
    weekly = {"p1": 20.0, "p2": 30.0, "a": 24.0, "b": 50.0, "c": 60.0, "d": 2.0}
    assert evaluation.comparison_areas(weekly_before=weekly, pilot=["p1", "p2"]) == ["a", "b"]
    # none within a factor of two: the two closest stand in
    assert evaluation.comparison_areas(weekly_before={"p": 10.0, "x": 100.0, "y": 1.0, "z": 40.0}, pilot=["p"]) == [
        "y",
        "z",
    ]
