"""The daily actions pages: the right view per role, scope, completing in place, reassigning, roll-ups."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from investigations.models import Action, SupervisorReview
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _review(case) -> Action:
    return case.actions.get(kind=Action.Kind.REVIEW, state=Action.State.OPEN)


def test_officer_sees_only_own_actions_most_urgent_first(client_for, cases):
    response = client_for("officer").get(reverse("investigations:actions"))
    assert response.status_code == 200
    assert response.templates[0].name == "investigations/queue.html"
    references = {a.investigation.crime_reference for a in response.context["actions"]}
    assert references == {cases["own"].crime_reference}
    assert response.context["team_view"] is False


def test_supervisor_sees_the_team_queue_with_overdue_reviews(client_for, cases):
    response = client_for("supervisor").get(reverse("investigations:actions"))
    references = {a.investigation.crime_reference for a in response.context["reviews"]}
    assert references == {cases["own"].crime_reference, cases["team"].crime_reference}
    assert all(a.flag == "overdue" for a in response.context["reviews"])
    assert b'class="flag overdue"' in response.content
    assert b'data-badge="overdue"' in response.content


def test_commander_gets_the_bcu_rollup_without_camden(client_for, cases):
    response = client_for("commander").get(reverse("investigations:actions"))
    assert response.templates[0].name == "investigations/rollup.html"
    team_ids = {team["team_id"] for team in response.context["teams"]}
    assert team_ids == {cases["own"].team_id, cases["other_team"].team_id}


def test_admin_rollup_covers_the_force_and_drills_to_a_department(client_for, cases, org):
    client = client_for("admin")
    everything = client.get(reverse("investigations:rollup"))
    assert everything.context["totals"]["overdue"] == 4
    camden = client.get(reverse("investigations:rollup"), {"unit": "camden-cid"})
    assert [t["team_id"] for t in camden.context["teams"]] == [org["camden-team-a"].pk]


def test_commander_follows_the_rollup_into_one_teams_queue(client_for, cases):
    client = client_for("commander")
    rollup = client.get(reverse("investigations:actions"))
    team = rollup.context["teams"][0]
    assert f'data-team-queue="{team["code"]}"'.encode() in rollup.content
    queue = client.get(reverse("investigations:actions"), {"team": team["code"]})
    assert queue.templates[0].name == "investigations/queue.html"
    assert queue.context["queue_unit"].pk == team["team_id"]
    assert {a.investigation.team_id for a in queue.context["actions"]} == {team["team_id"]}


def test_commander_cannot_open_another_bcus_team_queue(client_for, cases, org):
    response = client_for("commander").get(reverse("investigations:actions"), {"team": org["camden-team-a"].code})
    assert response.status_code == 404


def test_commander_cannot_drill_into_another_bcu(client_for, cases):
    assert client_for("commander").get(reverse("investigations:rollup"), {"unit": "camden"}).status_code == 404


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_another_teams_investigation_is_not_found(client_for, cases, role):
    url = reverse("investigations:investigation", kwargs={"pk": cases["other_team"].pk})
    assert client_for(role).get(url).status_code == 404


def test_officer_cannot_open_a_colleagues_investigation(client_for, cases):
    url = reverse("investigations:investigation", kwargs={"pk": cases["team"].pk})
    assert client_for("officer").get(url).status_code == 404


def test_supervisor_completes_a_review_inline_and_it_is_audited(client_for, cases, today, role_users):
    action = _review(cases["team"])
    back = reverse("investigations:actions") + "?kind=review"
    response = client_for("supervisor").post(
        reverse("investigations:complete", kwargs={"pk": action.pk}), {"note": "Good work", "next": back}
    )
    assert response.status_code == 302 and response.url == back
    action.refresh_from_db()
    assert (action.state, action.completed_by, action.note) == (
        Action.State.DONE,
        role_users["supervisor"],
        "Good work",
    )
    assert SupervisorReview.objects.filter(investigation=cases["team"], reviewed_on=today).exists()
    next_review = _review(cases["team"])
    assert next_review.due_on == today + timedelta(days=28)
    assert AuditEvent.objects.filter(
        action="update", username="supervisor", target__contains="Supervisor review"
    ).exists()


def test_completing_drops_the_overdue_badge(client_for, cases):
    client = client_for("supervisor")
    before = client.get(reverse("investigations:actions")).context["counts"][0]["count"]
    client.post(reverse("investigations:complete", kwargs={"pk": _review(cases["own"]).pk}), {"note": "ok"})
    after = client.get(reverse("investigations:actions")).context["counts"][0]["count"]
    assert after == before - 1


def test_officer_may_not_complete_a_supervisor_review(client_for, cases):
    action = _review(cases["own"])
    response = client_for("officer").post(reverse("investigations:complete", kwargs={"pk": action.pk}), {"note": "x"})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.state == Action.State.OPEN


def test_commander_may_not_complete_actions(client_for, cases):
    action = _review(cases["other_team"])
    response = client_for("commander").post(reverse("investigations:complete", kwargs={"pk": action.pk}))
    assert response.status_code == 403


def test_supervisor_cannot_complete_another_teams_action(client_for, cases):
    action = _review(cases["other_team"])
    response = client_for("supervisor").post(reverse("investigations:complete", kwargs={"pk": action.pk}))
    assert response.status_code == 404


def test_supervisor_reassigns_within_the_team_and_actions_follow(client_for, cases, org, role_users):
    colleague = UserFactory(username="dc-jones", unit=org["westminster-team-a"], role="officer")
    case = cases["own"]
    response = client_for("supervisor").post(
        reverse("investigations:reassign", kwargs={"pk": case.pk}), {"officer": colleague.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.officer == colleague
    assert set(case.actions.filter(state="open").values_list("officer", flat=True)) == {colleague.pk}
    assert AuditEvent.objects.filter(target__contains=case.crime_reference, params__reassigned_to="dc-jones").exists()


def test_reassigning_to_an_officer_of_another_team_is_refused(client_for, cases, org):
    outsider = UserFactory(username="dc-other", unit=org["westminster-team-b"], role="officer")
    url = reverse("investigations:reassign", kwargs={"pk": cases["own"].pk})
    assert client_for("supervisor").post(url, {"officer": outsider.pk}).status_code == 404


@pytest.mark.parametrize("role", ["officer", "commander", "analyst", "executive"])
def test_roles_without_the_permission_cannot_reassign(client_for, cases, role_users, role):
    url = reverse("investigations:reassign", kwargs={"pk": cases["own"].pk})
    assert client_for(role).post(url, {"officer": role_users["officer"].pk}).status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "officer", "analyst", "executive"])
def test_roles_without_view_rollup_are_refused_the_rollup(client_for, role, db):
    assert client_for(role).get(reverse("investigations:rollup")).status_code == 403


@pytest.mark.parametrize("role", ["analyst", "executive"])
def test_roles_without_view_actions_are_refused(client_for, role, db):
    assert client_for(role).get(reverse("investigations:actions")).status_code == 403


def test_investigation_page_lists_its_open_actions(client_for, cases):
    url = reverse("investigations:investigation", kwargs={"pk": cases["own"].pk})
    response = client_for("officer").get(url)
    assert response.status_code == 200
    assert [a.kind for a in response.context["actions"]] == ["review"]


def test_rollup_reflects_a_completion_at_once(client, cases, role_users):
    client.force_login(role_users["commander"])
    before = client.get(reverse("investigations:rollup")).context["totals"]["overdue"]
    client.force_login(role_users["supervisor"])
    client.post(reverse("investigations:complete", kwargs={"pk": _review(cases["own"]).pk}), {"note": "ok"})
    client.force_login(role_users["commander"])
    assert client.get(reverse("investigations:rollup")).context["totals"]["overdue"] == before - 1


def test_the_queue_names_the_offence_in_words_not_its_code(client_for, cases):
    cases["own"].__class__.objects.filter(pk=cases["own"].pk).update(offence="burglary_dwelling")
    content = client_for("officer").get(reverse("investigations:actions")).content.decode()
    assert "Burglary dwelling" in content and "burglary_dwelling" not in content
