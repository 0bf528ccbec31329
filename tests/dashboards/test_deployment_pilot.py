"""The deployment card's two plans, acceptance with a pilot, and the pilot page (before/after against comparable
areas): what it says with an effect, with none, with too few weeks; who may open it."""

import datetime as dt

import pytest
from django.urls import reverse

from analytics.deployment.pilot import deployment_plan_accept_pilot
from analytics.deployment.plans import deployment_plan_propose
from analytics.models import DeploymentPlan
from tests.analytics.factories import CAMDEN, WESTMINSTER
from tests.analytics.pilot_data import pilot_calls
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
START = dt.date(2024, 3, 4)
UNITS = {"early": 2, "late": 3, "night": 2}


def _pilot(role_users, *, weeks_after: int, effect: float, seed: int = 0, borough: str = WESTMINSTER):
    pilot_calls(start=START, weeks_before=8, weeks_after=weeks_after, effect_minutes=effect, seed=seed,
                borough=borough)  # fmt: skip
    plan = deployment_plan_propose(borough_code=borough, units=UNITS)
    user = role_users["commander"] if borough == WESTMINSTER else role_users["admin"]
    return deployment_plan_accept_pilot(plan=plan, user=user, pilot_areas=["post-1", "post-2"], pilot_start=START)


def _page(client, plan):
    return client.get(reverse("dashboards:pilot", args=[plan.pk]))


def test_a_faster_response_in_the_pilot_areas_is_measured(client_for, role_users):
    plan = _pilot(role_users, weeks_after=6, effect=-3.0)
    response = _page(client_for("commander"), plan)
    assert response.status_code == 200
    row = next(r for r in response.context["pilot"]["rows"] if r[0].startswith("Median response"))
    effect = float(row[5])
    low, high = (float(x) for x in row[6].split(" to "))
    assert low <= -3.0 <= high and high < 0 and row[7] == "lower in the pilot areas"
    assert "Post-3" in response.content.decode() or "post-3" in response.content.decode()
    assert effect < 0
    headline = response.context["pilot"]["headline"]
    assert (
        headline.startswith("Measured difference:") and "Median response time lower in the pilot areas by 3" in headline
    )


def test_no_change_reads_no_measurable_difference(client_for, role_users):
    plan = _pilot(role_users, weeks_after=6, effect=0.0, seed=2)
    page = _page(client_for("analyst"), plan).context["pilot"]
    assert page["headline"].startswith("No measurable difference")
    assert {row[7] for row in page["rows"]} == {"no measurable difference"}


def test_two_weeks_after_the_start_is_not_yet_enough_data(client_for, role_users):
    plan = _pilot(role_users, weeks_after=2, effect=-3.0)
    response = _page(client_for("commander"), plan)
    assert "Not yet enough data" in response.content.decode()
    assert {row[7] for row in response.context["pilot"]["rows"]} == {"not yet enough data"}


@pytest.mark.parametrize("role", ["officer", "supervisor", "executive"])
def test_roles_without_the_tactical_view_cannot_open_the_pilot_page_or_accept(client_for, role_users, role):
    plan = _pilot(role_users, weeks_after=1, effect=0.0)
    client = client_for(role)
    assert _page(client, plan).status_code == 403
    proposed = deployment_plan_propose(borough_code=WESTMINSTER, units=UNITS)
    response = client.post(reverse("dashboards:deployment_accept", args=[proposed.pk]), {"pilot_areas": ["post-1"]})
    assert response.status_code == 403
    proposed.refresh_from_db()
    assert proposed.state == DeploymentPlan.State.PROPOSED and proposed.pilot_areas == []


def test_a_commander_of_another_bcu_cannot_see_the_pilot(client, org, role_users):
    plan = _pilot(role_users, weeks_after=1, effect=0.0, borough=CAMDEN)
    westminster = role_users["commander"]
    client.force_login(westminster)
    assert _page(client, plan).status_code == 404
    camden = UserFactory(username="camden-commander", role="commander", unit=org["camden"])
    client.force_login(camden)
    assert _page(client, plan).status_code == 200


def test_accepting_from_the_card_records_the_pilot_and_links_its_page(client_for, django_capture_on_commit_callbacks):
    pilot_calls(start=START, weeks_before=4, weeks_after=0)
    plan = deployment_plan_propose(borough_code=WESTMINSTER, units=UNITS)
    client = client_for("commander")
    card = client.get(reverse("dashboards:tactical")).context["deployment"]
    assert card["id"] == plan.pk and [row[0] for row in card["comparison"]["rows"]][1].startswith("Units staged")
    assert any("Expected coverage: share" in note for note in card["comparison"]["definitions"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dashboards:deployment_accept", args=[plan.pk]),
            {"pilot_areas": ["post-2", "post-1"], "pilot_start": "2024-03-04"},
        )
    plan.refresh_from_db()
    assert plan.state == "accepted" and plan.pilot_areas == ["post-1", "post-2"] and plan.pilot_start == START
    assert plan.dispatch_status == "not_configured"  # no DISPATCH_PLAN_URL in tests: nothing posted
    html = client.get(reverse("dashboards:tactical")).content.decode()
    assert reverse("dashboards:pilot", args=[plan.pk]) in html


def test_a_pilot_area_outside_the_plan_is_refused(client_for):
    pilot_calls(start=START, weeks_before=4, weeks_after=0)
    plan = deployment_plan_propose(borough_code=WESTMINSTER, units=UNITS)
    client_for("commander").post(reverse("dashboards:deployment_accept", args=[plan.pk]), {"pilot_areas": ["nope"]})
    plan.refresh_from_db()
    assert plan.state == DeploymentPlan.State.PROPOSED


def test_small_group_counts_are_hidden_with_the_figures_built_on_them(role_users):
    from analytics.deployment.selectors import TOO_FEW, _guarded

    result = {
        "calls": {"pilot_before": 3, "pilot_after": 40, "comparison_before": 50, "comparison_after": 45},
        "metrics": {"response_minutes": {"effect": -2.0, "low": -3.0, "high": -1.0, "verdict": "lower"}},
    }
    commander = _guarded(result, user=role_users["commander"])
    assert commander["calls"]["pilot_before"] is None and commander["suppressed"]
    assert commander["metrics"]["response_minutes"]["effect"] is None
    assert commander["metrics"]["response_minutes"]["verdict"] == TOO_FEW
    assert _guarded(result, user=role_users["analyst"])["calls"]["pilot_before"] == 3
