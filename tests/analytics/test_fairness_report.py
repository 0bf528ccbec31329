"""The stored bias report: a plan's units vs reported demand by IMD decile of its LSOAs, with the simulation."""

import numpy as np
import pytest

from analytics.deployment.plans import bias_report_create
from analytics.models import BiasReport, DeploymentPlan
from ingestion.models import Deprivation

pytestmark = pytest.mark.django_db


def test_bias_report_compares_unit_share_with_demand_share_by_decile():
    for code, decile in (("E01000001", 1), ("E01000002", 1), ("E01000003", 9)):
        Deprivation.objects.create(lsoa_code=code, imd_decile=decile)
    plan = DeploymentPlan.objects.create(
        borough_code="E09000033",
        shifts=["all-day"],
        areas=["E01000001", "E01000002", "E01000003"],
        demand={"E01000001": {"all-day": 6.0}, "E01000002": {"all-day": 2.0}, "E01000003": {"all-day": 2.0}},
        units_available={"all-day": 5},
        max_imbalance=3,
        allocation={"E01000001": {"all-day": 2}, "E01000002": {"all-day": 1}, "E01000003": {"all-day": 2}},
    )
    report = bias_report_create(plans=[plan])
    deciles = {row["decile"]: row for row in report.by_decile}
    assert deciles[1]["demand_share"] == pytest.approx(0.8) and deciles[1]["units_share"] == pytest.approx(0.6)
    assert deciles[9]["ratio"] == pytest.approx(2.0)
    assert report.summary["max_ratio"] == 2.0 and report.summary["areas_with_decile"] == 3
    assert set(report.feedback["series"]) == {"reported", "all"}
    assert len(report.feedback["series"]["all"]["overlap"]) == report.feedback["rounds"]
    assert BiasReport.objects.filter(plan=plan).count() == 1
    assert np.isfinite(report.feedback["drift"]["all"])
