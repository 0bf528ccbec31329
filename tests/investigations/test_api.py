"""The investigations API: scoped like the pages (officer own, supervisor team, commander BCU, admin force),
filterable, refused without the permission, and described in the OpenAPI schema."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SEES = {
    "officer": {"own"},
    "supervisor": {"own", "team"},
    "commander": {"own", "team", "other_team"},
    "admin": {"own", "team", "other_team", "other_bcu"},
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_investigations_are_scoped_to_the_role(client_for, cases, role):
    response = client_for(role).get(reverse("investigation-list"))
    references = {row["crime_reference"] for row in response.json()["results"]}
    assert references == {cases[name].crime_reference for name in SEES[role]}


@pytest.mark.parametrize("role", sorted(SEES))
def test_actions_are_scoped_to_the_role(client_for, cases, role):
    response = client_for(role).get(reverse("action-list"))
    references = {row["crime_reference"] for row in response.json()["results"]}
    assert references == {cases[name].crime_reference for name in SEES[role]}


def test_out_of_scope_detail_is_not_found(client_for, cases):
    url = reverse("investigation-detail", kwargs={"pk": cases["other_bcu"].pk})
    assert client_for("commander").get(url).status_code == 404


def test_actions_filter_by_kind_team_and_carry_their_flag(client_for, cases):
    client = client_for("admin")
    rows = client.get(reverse("action-list"), {"kind": "review", "team": "camden-team-a"}).json()["results"]
    assert [(row["crime_reference"], row["flag"]) for row in rows] == [(cases["other_bcu"].crime_reference, "overdue")]
    assert client.get(reverse("action-list"), {"kind": "bail"}).json()["results"] == []


@pytest.mark.parametrize("role", ["analyst", "executive"])
def test_roles_without_view_actions_are_refused(client_for, cases, role):
    assert client_for(role).get(reverse("action-list")).status_code == 403
    assert client_for(role).get(reverse("investigation-list")).status_code == 403


def test_anonymous_callers_are_refused(client, cases):
    assert client.get(reverse("investigation-list")).status_code == 403


def test_endpoints_are_in_the_openapi_schema(client_for, db):
    schema = client_for("admin").get(reverse("api-schema"), {"format": "json"}).json()
    assert {"/api/investigations/", "/api/actions/", "/api/actions/{id}/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/actions/"]["get"]["parameters"]}
    assert {"kind", "state", "team", "due_before"} <= parameters
