"""Unit allocation by MILP: a small hand-solved problem, minimum cover, workload bounds, equity metrics."""

import numpy as np
import pytest

from analytics.deployment import allocation


def _problem(**overrides):
    values = {
        "areas": ["a", "b"],
        "shifts": ["early"],
        "demand": np.array([[10.0], [30.0]]),
        "units": np.array([4]),
        "min_cover": 1,
        "max_imbalance": 100.0,
        "unit_share": 0.5,
    }
    return allocation.Problem(**(values | overrides))


def test_hand_solved_allocation_matches():
    # gains per unit: a 5, 2.5, 1.25 ...; b 15, 7.5, 3.75 ... One each (min cover), then b's 7.5 and 3.75 beat a's 2.5.
    solution = allocation.solve(_problem())
    assert solution.units.ravel().tolist() == [1, 3]
    assert solution.covered == pytest.approx(5 + 15 + 7.5 + 3.75)


def test_minimum_cover_is_kept_even_where_demand_is_zero():
    solution = allocation.solve(_problem(demand=np.array([[0.0], [30.0]]), min_cover=1))
    assert solution.units.ravel().tolist() == [1, 3]


def test_workload_bound_pulls_units_to_the_busier_area():
    # early: 40 demand / 4 units = 10 per unit, a band of ratio 1 means 1 unit for 10 and 3 for 30 exactly;
    # late: 4 per unit, so 2 -> 0.5 units (rounded out to 1) and 18 -> 4.5 (4 or 5): 1 + 4 fills the 5 units.
    demand = np.array([[10.0, 2.0], [30.0, 18.0]])
    problem = _problem(demand=demand, shifts=["early", "late"], units=np.array([4, 5]), min_cover=0, max_imbalance=1.0)
    solution = allocation.solve(problem)
    assert solution.units[:, 0].tolist() == [1, 3]
    assert solution.units[:, 1].tolist() == [1, 4]
    assert solution.imbalance_bound == 1.0


def test_units_per_shift_are_never_exceeded():
    rng = np.random.default_rng(0)
    demand = rng.gamma(2.0, 5.0, size=(12, 3))
    problem = allocation.Problem(
        areas=[str(i) for i in range(12)],
        shifts=["a", "b", "c"],
        demand=demand,
        units=np.array([10, 14, 8]),
        min_cover=0,
        max_imbalance=4.0,
    )
    solution = allocation.solve(problem)
    assert (solution.units.sum(axis=0) <= problem.units).all()
    assert (solution.units >= 0).all()


def test_equity_and_change_from_the_current_plan():
    problem = _problem()
    metrics = allocation.plan_metrics(problem, np.array([[1], [3]]), current=np.array([[2], [2]]))
    assert metrics["equity"]["max_min_ratio"] == pytest.approx(1.0)  # 10 / 1 and 30 / 3: every unit carries 10
    assert allocation.equity(problem.demand, np.array([[2], [2]]))["max_min_ratio"] == pytest.approx(3.0)
    assert metrics["change"]["units_moved"] == 1
    assert metrics["change"]["coverage_gain"] > 0
    assert allocation.gini(np.array([1.0, 1, 1])) == 0
    assert allocation.gini(np.array([0.0, 0, 3])) == pytest.approx(2 / 3)


def test_proportional_plan_uses_every_unit():
    plan = allocation.proportional_plan(np.array([[1.0], [2.0], [7.0]]), np.array([5]))
    assert plan.ravel().tolist() == [0, 1, 4] or plan.ravel().tolist() == [1, 1, 3]
    assert plan.sum() == 5
