"""Deployment plans from stored demand: proposed per BCU, accepted by that BCU's commander only, audited."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.models import AuditEvent
from analytics.deployment.plans import deployment_plan_propose, deployment_plans_refresh
from analytics.models import BiasReport, DeploymentPlan
from analytics.services import deployment_plan_accept
from tests.analytics.factories import LSOA_W1, LSOA_W2, incidents, local
from tests.analytics.forecasting_data import CAMDEN, WESTMINSTER, calls

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    calls(days=28)
    return deployment_plan_propose(borough_code=WESTMINSTER, units={"early": 4, "late": 6, "night": 3})


def test_plan_splits_units_by_shift_towards_the_busiest_posts(plan):
    assert plan.shifts == ["early", "late", "night"]
    assert set(plan.areas) == {"post-1", "post-2", "post-3", "post-4"}
    for shift, units in {"early": 4, "late": 6, "night": 3}.items():
        assert sum(plan.allocation[area][shift] for area in plan.areas) <= units
    assert plan.allocation["post-1"]["late"] >= plan.allocation["post-4"]["late"]
    assert 0 < plan.metrics["coverage"] <= 1
    assert "gini" in plan.metrics["equity"] and "units_moved" in plan.metrics["change"]
    assert plan.state == DeploymentPlan.State.PROPOSED


def test_commander_accepts_a_plan_of_their_bcu_and_it_is_audited(plan, role_users):
    deployment_plan_accept(plan=plan, user=role_users["commander"])
    plan.refresh_from_db()
    assert plan.state == DeploymentPlan.State.ACCEPTED and plan.accepted_by == role_users["commander"]
    assert AuditEvent.objects.filter(action="update", target=f"deployment_plan:{plan.pk}", outcome="success").exists()


def test_a_new_acceptance_supersedes_the_plan_in_force(plan, role_users):
    deployment_plan_accept(plan=plan, user=role_users["commander"])
    second = deployment_plan_propose(borough_code=WESTMINSTER, units={"early": 4, "late": 6, "night": 3})
    assert second.metrics["change"]["coverage_before"] == plan.metrics["coverage"]
    deployment_plan_accept(plan=second, user=role_users["commander"])
    plan.refresh_from_db()
    assert plan.state == DeploymentPlan.State.SUPERSEDED


def test_commander_cannot_accept_another_bcus_plan(role_users):
    calls(days=14, borough=CAMDEN)
    camden = deployment_plan_propose(borough_code=CAMDEN)
    with pytest.raises(PermissionDenied):
        deployment_plan_accept(plan=camden, user=role_users["commander"])
    assert AuditEvent.objects.filter(target=f"deployment_plan:{camden.pk}", outcome="denied").exists()
    camden.refresh_from_db()
    assert camden.state == DeploymentPlan.State.PROPOSED


@pytest.mark.parametrize("role", ["analyst", "executive", "supervisor", "officer"])
def test_roles_without_the_permission_cannot_accept(plan, role_users, role):
    with pytest.raises(PermissionDenied):
        deployment_plan_accept(plan=plan, user=role_users[role])


def test_refresh_proposes_a_plan_and_a_bias_report_per_bcu():
    calls(days=14)
    calls(days=14, borough=CAMDEN, seed=1)
    ids = deployment_plans_refresh()
    assert sorted(DeploymentPlan.objects.filter(pk__in=ids).values_list("borough_code", flat=True)) == sorted(
        [WESTMINSTER, CAMDEN]
    )
    assert BiasReport.objects.filter(plan__in=ids).count() == 2
    assert BiasReport.objects.filter(borough_code="", plan=None).count() == 1  # the force-wide comparison


def test_monthly_crimes_plan_one_all_day_shift_on_mean_daily_demand():
    incidents(62, borough_id=WESTMINSTER, lsoa_id=LSOA_W1, occurred_at=local(2024, 1))
    incidents(31, borough_id=WESTMINSTER, lsoa_id=LSOA_W2, occurred_at=local(2024, 1))
    plan = deployment_plan_propose(borough_code=WESTMINSTER, basis="crime", units={"all-day": 3})
    assert plan.shifts == ["all-day"]
    assert plan.demand == {LSOA_W1: {"all-day": 2.0}, LSOA_W2: {"all-day": 1.0}}
    assert plan.allocation == {LSOA_W1: {"all-day": 2}, LSOA_W2: {"all-day": 1}}
