"""What each role sees: units, area codes and incident rows; out-of-scope objects answer 404, pages 403."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.generic import View
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from accounts.models import User
from accounts.permissions import RolePermission, RoleRequiredMixin
from accounts.scoping import area_codes_visible_to, restrict_to_areas, scope_of, units_visible_to
from ingestion.models import Incident

WESTMINSTER, CAMDEN = "E09000033", "E09000007"
WESTMINSTER_UNITS = {"westminster", "westminster-cid", "westminster-team-a", "westminster-team-b"}
FORCE_ROLES = ["admin", "executive", "analyst"]


def unit_codes(user) -> set[str]:
    return set(units_visible_to(user=user).values_list("code", flat=True))


@pytest.mark.parametrize("role", FORCE_ROLES)
def test_force_roles_see_every_unit_and_area(role_users, org, role):
    user = role_users[role]
    assert scope_of(user=user) == "force"
    assert unit_codes(user) == {unit.code for unit in org.values()}
    assert area_codes_visible_to(user=user) is None


def test_commander_sees_own_bcu_subtree_only(role_users):
    commander = role_users["commander"]
    assert unit_codes(commander) == WESTMINSTER_UNITS
    assert area_codes_visible_to(user=commander) == {WESTMINSTER}


def test_commander_placed_in_a_team_still_sees_the_whole_bcu(role_users, org):
    commander = role_users["commander"]
    commander.unit = org["westminster-team-b"]
    assert unit_codes(commander) == WESTMINSTER_UNITS


@pytest.mark.parametrize("role", ["supervisor", "officer"])
def test_supervisor_and_officer_see_own_team_only(role_users, role):
    user = role_users[role]
    assert unit_codes(user) == {"westminster-team-a"}
    assert area_codes_visible_to(user=user) == {WESTMINSTER}


def test_local_role_without_a_unit_sees_nothing(db):
    user = User.objects.create(username="stray", role="commander")
    assert unit_codes(user) == set()
    assert area_codes_visible_to(user=user) == set()


def test_superuser_without_a_role_sees_the_force(db):
    user = User.objects.create(username="root", is_superuser=True)
    assert scope_of(user=user) == "force"


@pytest.fixture
def incidents(db) -> dict[str, Incident]:
    def incident(borough: str) -> Incident:
        return Incident.objects.create(
            source="test",
            source_key=borough,
            kind="crime",
            category="burglary",
            occurred_at=timezone.now(),
            time_precision="minute",
            borough_id=borough,
        )

    return {WESTMINSTER: incident(WESTMINSTER), CAMDEN: incident(CAMDEN)}


def visible_boroughs(user) -> set[str]:
    return set(restrict_to_areas(Incident.objects.all(), user=user).values_list("borough_id", flat=True))


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", {WESTMINSTER, CAMDEN}),
        ("executive", {WESTMINSTER, CAMDEN}),
        ("analyst", {WESTMINSTER, CAMDEN}),
        ("commander", {WESTMINSTER}),
        ("supervisor", {WESTMINSTER}),
        ("officer", {WESTMINSTER}),
    ],
)
def test_incident_rows_are_restricted_to_the_areas_in_scope(role_users, incidents, role, expected):
    assert visible_boroughs(role_users[role]) == expected


def test_out_of_scope_incident_answers_404(client_for, incidents):
    client = client_for("commander")
    assert client.get(reverse("dashboards:incident", args=[incidents[WESTMINSTER].pk])).status_code == 200
    assert client.get(reverse("dashboards:incident", args=[incidents[CAMDEN].pk])).status_code == 404


def test_force_role_opens_any_incident(client_for, incidents):
    assert client_for("analyst").get(reverse("dashboards:incident", args=[incidents[CAMDEN].pk])).status_code == 200


class Undeclared(RoleRequiredMixin, View):
    def get(self, request):
        raise AssertionError("must not run")


def test_page_that_declares_no_permission_refuses_even_the_admin(role_users):
    request = RequestFactory().get("/somewhere/")
    request.user = role_users["admin"]
    with pytest.raises(PermissionDenied):
        Undeclared.as_view()(request)


class Endpoint(APIView):
    required_permission = {"get": "dashboards.view_strategic", "post": "ingestion.import_data"}


def api_allows(user, method: str, view=None) -> bool:
    request = getattr(APIRequestFactory(), method)("/api/x/")
    request.user = user
    return RolePermission().has_permission(request, view or Endpoint())


def test_api_permission_follows_the_method_map(role_users):
    executive = role_users["executive"]
    assert api_allows(executive, "get")
    assert not api_allows(executive, "post")
    assert api_allows(role_users["analyst"], "post")


def test_api_view_without_a_permission_refuses_everyone(role_users):
    assert not api_allows(role_users["admin"], "get", APIView())


def test_anonymous_user_sees_nothing(db):
    # The API schema generator builds querysets with an anonymous user.
    anonymous = AnonymousUser()
    assert unit_codes(anonymous) == set()
    assert area_codes_visible_to(user=anonymous) == set()
