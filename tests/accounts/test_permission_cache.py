"""Permission sets are cached between requests, and any change of groups or permissions shows on the next one."""

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

STRATEGIC = reverse("dashboards:strategic")


def _permission_queries(client) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(STRATEGIC).status_code
    return status, [query["sql"] for query in queries if "auth_permission" in query["sql"]]


def test_a_second_request_reads_the_permissions_from_the_cache(client_for):
    client = client_for("executive")
    assert _permission_queries(client)[1], "the first request must load the permissions"
    status, reads = _permission_queries(client)
    assert status == 200 and reads == []


def test_taking_a_permission_from_the_group_refuses_the_next_request(client_for):
    client = client_for("executive")
    assert _permission_queries(client)[0] == 200
    Group.objects.get(name="executive").permissions.remove(Permission.objects.get(codename="view_strategic"))
    assert _permission_queries(client)[0] == 403


def test_a_new_role_opens_its_pages_on_the_next_request(client_for, role_users):
    client = client_for("officer")
    assert _permission_queries(client)[0] == 403
    officer = role_users["officer"]
    officer.role = "executive"
    officer.save()  # the role's group replaces the old one
    assert _permission_queries(client)[0] == 200
