"""The coverage model: staging sites that put the most forecast demand within the target time, beside the
demand-share plan, scored on one definition."""

import datetime as dt

import numpy as np
import pytest

from analytics.deployment import coverage
from analytics.deployment.plans import deployment_plan_propose
from tests.analytics.factories import WESTMINSTER
from tests.analytics.pilot_data import pilot_calls

# five demand points on a road, minutes apart; sites at each point
POSITIONS = np.array([0.0, 4.0, 8.0, 20.0, 24.0])
DEMAND = np.array([3.0, 3.0, 3.0, 1.0, 2.0])
TRAVEL = np.abs(POSITIONS[:, None] - POSITIONS[None, :])


def test_two_units_go_to_the_site_covering_the_most_and_the_one_covering_the_rest():
    units = coverage.solve(coverage.CoverageProblem(demand=DEMAND, travel=TRAVEL, units=2, target_minutes=5))
    # the middle point covers 0, 4 and 8 (9 of 12); the far pair is covered from either end, the end with more
    # demand (2 vs 1) wins the tie on travel time
    assert units.tolist() == [0, 1, 0, 0, 1]


def test_the_two_busiest_sites_would_cover_less():
    def score(units_at):
        return coverage.staging_metrics(
            demand=DEMAND, travel=TRAVEL, units_at=np.array(units_at), target_minutes=5, dispatch_delay=2
        )

    best, busiest = score([0, 1, 0, 0, 1]), score([1, 1, 0, 0, 0])
    assert best["coverage"] == 1.0 and busiest["coverage"] == 0.75
    # demand-weighted minutes from the closest unit (A 4, B 0, C 4, D 4, E 0 -> 28/12) plus 2 of dispatch
    assert best["response_minutes"] == pytest.approx(28 / 12 + 2, abs=0.01)
    assert best["max_mean_load"] == 1.5  # 9 and 3 per unit, mean 6


def test_one_unit_cannot_cover_more_than_its_capped_share():
    # one site covers both points; a cap of half the total per unit leaves the bigger point uncoverable, so the
    # unit goes where it can answer within its share (the small point's own site)
    travel = np.array([[0.0, 9.0, 3.0], [9.0, 0.0, 3.0]])
    problem = coverage.CoverageProblem(
        demand=np.array([6.0, 4.0]), travel=travel, units=1, target_minutes=5, max_load_ratio=0.5
    )
    assert coverage.solve(problem).tolist() == [0, 1, 0]
    free = coverage.CoverageProblem(demand=np.array([6.0, 4.0]), travel=travel, units=1, target_minutes=5)
    assert coverage.solve(free).tolist() == [0, 0, 1]


def test_travel_time_is_distance_times_detour_over_speed():
    one_km_north = np.array([[51.5, -0.1], [51.5 + 1 / 111.2, -0.1]])
    minutes = coverage.travel_minutes(points=one_km_north[:1], sites=one_km_north, speed_kmh=30, detour=1.5)
    assert minutes[0, 0] == 0 and minutes[0, 1] == pytest.approx(3.0, rel=0.01)


@pytest.mark.django_db
def test_a_proposed_plan_carries_its_coverage_option_scored_like_the_demand_share_plan(settings):
    settings.DEPLOYMENT_TARGET_MINUTES = 4
    pilot_calls(start=dt.date(2024, 3, 4), weeks_before=4, weeks_after=0)
    plan = deployment_plan_propose(borough_code=WESTMINSTER, units={"early": 2, "late": 3, "night": 2})
    option = plan.coverage_option
    assert option["parameters"]["target_minutes"] == 4 and option["parameters"]["area_type"] == "urban"
    for shift, units in {"early": 2, "late": 3, "night": 2}.items():
        assert sum(option["sites"][shift].values()) == units
    ours, share = option["metrics"]["coverage_plan"], option["metrics"]["demand_share_plan"]
    assert 0 < share["coverage"] <= ours["coverage"] <= 1
    assert ours["response_minutes"] >= settings.DEPLOYMENT_DISPATCH_DELAY_MINUTES
    assert set(option["positions"]) == {f"post-{i}" for i in range(1, 7)}
