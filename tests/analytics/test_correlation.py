"""Correlations with known answers: Spearman on constructed data, the 2011/2021 LSOA code change, rate guards."""

import numpy as np
import pytest
from scipy import stats

from analytics import selectors
from analytics.correlation import (
    category_matrix,
    deprivation_points,
    is_unstable,
    rate_per_1000,
    spearman,
    spearman_with_ci,
)
from analytics.models import CorrelationResult
from analytics.refresh import analytics_refresh
from ingestion.models import Deprivation, Population
from tests.analytics.factories import CAMDEN, WESTMINSTER, incidents, local


def test_spearman_of_a_monotonic_relation_is_one():
    result = spearman_with_ci([1, 2, 3, 4, 5, 6], [1, 4, 9, 16, 25, 36])
    assert result["rho"] == 1.0


def test_spearman_matches_scipy_and_its_interval_contains_it():
    rng = np.random.default_rng(3)
    x = rng.normal(size=200)
    y = x + rng.normal(size=200)
    result = spearman_with_ci(x, y)
    assert result["rho"] == pytest.approx(stats.spearmanr(x, y)[0], abs=1e-4)
    assert result["ci_low"] < result["rho"] < result["ci_high"]
    # Fisher z: the half-width in z units is 1.96 * 1.06 / sqrt(197)
    assert np.arctanh(result["ci_high"]) - np.arctanh(result["rho"]) == pytest.approx(1.96 * 1.06 / 197**0.5, rel=1e-2)


@pytest.mark.parametrize("seed", range(5))
def test_spearman_and_its_p_value_are_scipys_with_ties_and_weak_relations(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 400))
    x = rng.integers(0, 12, size=n).astype(float)  # many ties, as IMD deciles and small counts have
    y = 0.2 * x + rng.normal(size=n)
    rho, p_value = spearman(x, y)
    expected = stats.spearmanr(x, y)
    assert rho == pytest.approx(expected.statistic, abs=1e-12)
    assert p_value == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


def test_spearman_of_a_constant_is_undefined_and_of_a_perfect_relation_certain():
    rho, p_value = spearman([1, 1, 1, 1, 1], [1, 2, 3, 4, 5])
    assert np.isnan(rho) and np.isnan(p_value)
    rho, p_value = spearman([1, 2, 3, 4, 5], [5, 4, 3, 2, 1])
    assert rho == pytest.approx(-1.0, abs=1e-12) and p_value < 1e-20


def test_category_matrix_is_scipys_spearman_of_the_area_counts():
    rng = np.random.default_rng(7)
    counts = {(f"a{area}", "b", f"c{cat}"): int(rng.poisson(4 + cat)) for area in range(60) for cat in range(4)}
    matrix = np.array(category_matrix(counts)["matrix"], dtype=float)
    grid = np.array([[counts[f"a{area}", "b", f"c{cat}"] for cat in range(4)] for area in range(60)])
    assert matrix == pytest.approx(np.round(stats.spearmanr(grid).statistic, 4), abs=1e-9)


def test_spearman_needs_enough_points():
    assert spearman_with_ci([1, 2, 3], [3, 2, 1])["rho"] is None


def test_rate_guards_small_populations_and_flags_few_events(settings):
    assert rate_per_1000(5, 2000) == 2.5
    assert rate_per_1000(5, 50) is None  # below ANALYTICS_MIN_POPULATION (100)
    assert is_unstable(5) and not is_unstable(25)


def test_codes_that_changed_in_2021_are_pooled_and_counted():
    counts = {("E01000001", WESTMINSTER): 10, ("E01000002", WESTMINSTER): 20, ("E01000099", WESTMINSTER): 7}
    population = {"E01000001": 1000, "E01000002": 2000, "E01035000": 1500}  # E01000099 split into E01035000
    deprivation = {"E01000001": {"imd": 10.0}, "E01000002": {"imd": 20.0}, "E01000099": {"imd": 40.0}}
    boroughs = dict.fromkeys([*deprivation, "E01035000"], WESTMINSTER)
    points, pooled, meta = deprivation_points(counts, population, deprivation, boroughs)
    assert sorted(point["lsoa"] for point in points) == ["E01000001", "E01000002"]
    assert meta["crime_codes_unmatched"] == 1 and meta["crimes_unmatched"] == 7
    assert len(pooled) == 1
    assert (pooled[0]["count"], pooled[0]["population"], pooled[0]["scores"]) == (7, 1500, {"imd": 40.0})
    assert pooled[0]["rate"] == pytest.approx(7 * 1000 / 1500, abs=1e-3)


def test_category_matrix_of_perfectly_co_occurring_categories():
    counts = {}
    for index, area in enumerate(["a", "b", "c", "d", "e"]):
        counts[(area, "", "burglary")] = 10 * (index + 1)
        counts[(area, "", "theft")] = 5 * (index + 1)
        counts[(area, "", "robbery")] = 50 - 10 * index
    data = category_matrix(counts)
    matrix = dict(zip(data["categories"], data["matrix"], strict=True))
    column = data["categories"].index
    assert matrix["burglary"][column("theft")] == 1.0
    assert matrix["burglary"][column("robbery")] == -1.0


@pytest.mark.django_db
def test_refresh_stores_deprivation_correlation_and_commander_sees_own_points(role_users, areas):
    lsoas = [f"E0100{n:04d}" for n in range(8)]
    for rank, code in enumerate(lsoas):
        borough = WESTMINSTER if rank % 2 else CAMDEN
        Deprivation.objects.create(lsoa_code=code, imd_score=float(rank), borough_code=borough,
                                   domains={"income": {"score": rank / 10}})  # fmt: skip
        Population.objects.create(area_code=code, year=2021, population=1000)
        incidents(20 + 5 * rank, occurred_at=local(2024, 1), lsoa_id=code, borough_id=borough)
    analytics_refresh(full=True)
    result = CorrelationResult.objects.get(kind="deprivation", key="imd")
    assert result.rho == 1.0 and result.n == 8
    data = selectors.deprivation_correlation(user=role_users["commander"])
    assert {point["borough_code"] for point in data["points"]["imd"]} == {WESTMINSTER}
    assert {row["domain"] for row in data["domains"]} == {"imd", "income"}
