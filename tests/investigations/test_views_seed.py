"""The seed's missing pieces on the pages: linked crimes, failure to surrender, the upcoming view, the weekly
demand surge per team, per-officer capacity with the seed's caveat."""

from datetime import timedelta

import pytest
from django.urls import reverse

from investigations.models import Action, OfficerCapacity
from investigations.services import actions_compute
from tests.investigations.factories import CustodyEventFactory, InvestigationFactory, SuspectFactory, open_action

pytestmark = pytest.mark.django_db


def test_linked_crimes_show_on_the_investigation_page_and_in_the_queue(client_for, cases, org, role_users):
    other = InvestigationFactory(
        team=org["westminster-team-a"], officer=role_users["officer"], crime_reference="WE/LINKED/1"
    )
    cases["own"].linked_crimes.add(other)
    page = client_for("officer").get(reverse("investigations:investigation", args=[cases["own"].pk]))
    assert b"WE/LINKED/1" in page.content
    queue = client_for("officer").get(reverse("investigations:actions"))
    assert b'data-linked="%d">Linked: WE/LINKED/1' % cases["own"].pk in queue.content


def test_a_linked_crime_outside_the_users_scope_is_counted_not_named(client_for, cases):
    cases["own"].linked_crimes.add(cases["other_bcu"])
    page = client_for("officer").get(reverse("investigations:investigation", args=[cases["own"].pk]))
    assert cases["other_bcu"].crime_reference.encode() not in page.content
    assert b"some are outside what you can see" in page.content
    queue = client_for("officer").get(reverse("investigations:actions"))
    assert cases["other_bcu"].crime_reference.encode() not in queue.content


def test_failure_to_surrender_is_flagged_on_the_investigation(client_for, cases, today):
    suspect = SuspectFactory(investigation=cases["own"], name="Ray Wanted")
    CustodyEventFactory(suspect=suspect, kind="arrest", occurred_on=today - timedelta(days=9))
    CustodyEventFactory(suspect=suspect, kind="failed_to_surrender", occurred_on=today - timedelta(days=1))
    actions_compute(today=today)
    page = client_for("officer").get(reverse("investigations:investigation", args=[cases["own"].pk]))
    assert b"data-wanted" in page.content and b"Failed to surrender: Ray Wanted" in page.content
    assert cases["own"].actions.filter(kind="surrender", state="open").exists()


@pytest.mark.parametrize(("role", "expected"), [("officer", {"own"}), ("supervisor", {"own", "team"})])
def test_upcoming_shows_what_falls_due_in_the_users_scope(client_for, cases, today, role, expected):
    for name in ("own", "team", "other_team"):
        open_action(cases[name], due_on=today + timedelta(days=20), key=f"{cases[name].pk}:soon")
        open_action(cases[name], due_on=today + timedelta(days=60), key=f"{cases[name].pk}:later")
    response = client_for(role).get(reverse("investigations:upcoming"), {"days": "28"})
    assert response.status_code == 200
    assert {a.investigation_id for a in response.context["actions"]} == {cases[n].pk for n in expected}
    assert all(a.due_on <= today + timedelta(days=28) for a in response.context["actions"])
    counts = {h["days"]: h["count"] for h in response.context["horizons"]}
    assert (counts[7], counts[28], counts[90]) == (0, len(expected), 2 * len(expected))


@pytest.mark.parametrize("role", ["analyst", "executive"])
def test_roles_without_daily_actions_cannot_open_upcoming(client_for, role, db):
    assert client_for(role).get(reverse("investigations:upcoming")).status_code == 403


def test_a_sudden_rise_in_allocations_stands_out_in_the_rollup(client_for, cases, org, today):
    team = org["westminster-team-a"]
    for days_ago in [1, 2, 3, 4, 5, 6]:
        InvestigationFactory(team=team, allocated_date=today - timedelta(days=days_ago))
    InvestigationFactory(team=org["westminster-team-b"], allocated_date=today - timedelta(days=2))
    response = client_for("commander").get(reverse("investigations:actions"))
    surge = {row["name"]: row for row in response.context["surge"]}
    assert (surge[team.name]["this_week"], surge[team.name]["last_week"], surge[team.name]["surge"]) == (6, 2, True)
    assert surge[org["westminster-team-b"].name]["surge"] is False
    assert b"1 team surging" in response.content


def test_officer_capacity_set_in_the_admin_drives_the_load_and_the_caveat_shows(client_for, cases, role_users):
    OfficerCapacity.objects.create(officer=role_users["officer"], capacity=4)
    response = client_for("commander").get(reverse("investigations:actions"))
    (row,) = [o for o in response.context["officers"] if o["officer"] == role_users["officer"]]
    outstanding = Action.objects.filter(officer=role_users["officer"], state="open").count()
    assert (row["capacity"], row["load"]) == (4, round(100 * outstanding / 4))
    assert b"do not show the full workload of officers" in response.content


def test_the_admin_lists_officer_capacities(client_for, role_users):
    OfficerCapacity.objects.create(officer=role_users["officer"], capacity=12)
    response = client_for("admin").get(reverse("admin:investigations_officercapacity_changelist"))
    assert response.status_code == 200 and b"12" in response.content
