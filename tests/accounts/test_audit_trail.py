"""The audit trail: one record per event kind, read-only in the admin and the API, purged after retention."""

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from accounts.audit import audit_event
from accounts.models import AuditEvent, OrgUnit
from accounts.tasks import purge_audit
from crimedash.schedule import BEAT_SCHEDULE
from tests.accounts.audit_age import audit_age
from tests.accounts.test_login_security import WRONG, fail_times


def only(action: str) -> AuditEvent:
    (event,) = AuditEvent.objects.filter(action=action)
    return event


def test_login_is_recorded_with_who_and_where_from(role_users, sign_in, password):
    sign_in("analyst", password)
    event = only("login")
    assert (event.user, event.username, event.ip_address, event.outcome) == (
        role_users["analyst"],
        "analyst",
        "127.0.0.1",
        "success",
    )


def test_failed_login_is_recorded_with_the_username_tried(role_users, sign_in):
    sign_in("analyst", WRONG)
    event = only("login_failed")
    assert (event.user, event.username, event.outcome) == (None, "analyst", "failed")


def test_logout_is_recorded(client, role_users, sign_in, password):
    sign_in("analyst", password)
    client.post(reverse("logout"))
    assert only("logout").username == "analyst"


def test_lockout_is_recorded_once_and_later_refusals_as_denied_logins(role_users, sign_in, password):
    fail_times(sign_in, "officer", 5)
    sign_in("officer", password)
    assert only("lockout").username == "officer"
    outcomes = list(AuditEvent.objects.filter(action="login_failed").values_list("outcome", flat=True))
    assert sorted(outcomes) == ["denied"] + ["failed"] * 5


def test_dashboard_view_is_recorded_with_its_filters(client_for):
    client_for("executive").get(reverse("dashboards:strategic"), {"borough": ["E09000033", "E09000007"]})
    event = only("view")
    assert event.target == reverse("dashboards:strategic")
    assert event.params == {"borough": ["E09000033", "E09000007"]}
    assert event.outcome == "success"


def test_forbidden_dashboard_view_is_recorded_as_denied(client_for):
    client_for("officer").get(reverse("dashboards:strategic"))
    assert only("view").outcome == "denied"


def test_api_read_is_recorded(client_for):
    client_for("analyst").get("/api/no-such-endpoint/", {"limit": "5"})
    event = only("api_read")
    assert (event.username, event.params) == ("analyst", {"limit": ["5"]})


@pytest.mark.parametrize("action", [AuditEvent.Action.EXPORT, AuditEvent.Action.IMPORT])
def test_services_record_exports_and_imports_with_the_request(role_users, action):
    request = RequestFactory().get("/dashboards/export/x.csv", REMOTE_ADDR="10.1.2.3")
    request.user = role_users["analyst"]
    audit_event(action=action, request=request, target="incidents", params={"rows": 12})
    event = only(action)
    assert (event.username, event.ip_address, event.params) == ("analyst", "10.1.2.3", {"rows": 12})


def test_admin_change_is_recorded(client_for, org):
    unit = org["camden-team-b"]
    url = reverse("admin:accounts_orgunit_change", args=[unit.pk])
    data = {"code": unit.code, "name": "Camden Night Team", "kind": "team", "parent": unit.parent_id, "area_code": ""}
    assert client_for("admin").post(url, data).status_code == 302
    event = only("admin_change")
    assert (event.username, event.target, event.params["change"]) == ("admin", f"accounts.orgunit:{unit.pk}", "change")


def test_bulk_admin_deletion_records_each_object(client_for, org):
    teams = [OrgUnit.objects.create(code=f"spare-{n}", name=f"Spare {n}", kind="team") for n in range(2)]
    data = {"action": "delete_selected", "post": "yes", "_selected_action": [team.pk for team in teams]}
    client_for("admin").post(reverse("admin:accounts_orgunit_changelist"), data)
    assert not OrgUnit.objects.filter(code__startswith="spare-").exists()
    targets = set(AuditEvent.objects.filter(action="admin_change").values_list("target", flat=True))
    assert targets == {f"accounts.orgunit:{team.pk}" for team in teams}


@pytest.fixture
def audit_record(role_users):
    return audit_event(action=AuditEvent.Action.EXPORT, user=role_users["analyst"], target="incidents")


def test_admin_cannot_add_audit_records(client_for):
    client = client_for("admin")
    assert client.get(reverse("admin:accounts_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:accounts_auditevent_add"), {"action": "export"}).status_code == 403


def test_admin_sees_audit_records_read_only(client_for, audit_record):
    client = client_for("admin")
    url = reverse("admin:accounts_auditevent_change", args=[audit_record.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="target"' not in page.content
    assert client.post(url, {"target": "tampered", "action": "export"}).status_code == 403
    audit_record.refresh_from_db()
    assert audit_record.target == "incidents"


def test_admin_cannot_delete_audit_records(client_for, audit_record):
    client = client_for("admin")
    url = reverse("admin:accounts_auditevent_delete", args=[audit_record.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "post": "yes", "_selected_action": [audit_record.pk]}
    client.post(reverse("admin:accounts_auditevent_changelist"), bulk)
    assert AuditEvent.objects.filter(pk=audit_record.pk).exists()


def test_audit_list_has_search_and_filters(client_for, audit_record):
    page = client_for("admin").get(reverse("admin:accounts_auditevent_changelist"), {"q": "analyst"})
    assert page.status_code == 200
    assert b'id="changelist-filter"' in page.content
    assert b"incidents" in page.content


def api_views_of(model):
    """Every DRF view in the URL tree whose queryset is `model`, with the HTTP methods it answers."""
    from tests.test_url_matrix import all_patterns

    for entry in all_patterns():
        view_class = getattr(entry.callback, "cls", None)
        queryset = getattr(view_class, "queryset", None)
        if queryset is not None and queryset.model is model:
            actions = getattr(entry.callback, "actions", None)
            yield entry.route, set(actions) if actions else set(view_class().allowed_methods)


def test_no_api_endpoint_writes_audit_records(db):
    writes = {
        route: methods - {"get", "head", "options", "GET", "HEAD", "OPTIONS"}
        for route, methods in api_views_of(AuditEvent)
    }
    assert not any(writes.values()), writes


@pytest.fixture
def old_and_new(role_users):
    events = {
        days: audit_event(action="export", user=role_users["analyst"], target=f"{days}") for days in (800, 400, 1)
    }
    for days, event in events.items():
        audit_age(pk=event.pk, days=days)
    return events


def remaining_targets() -> set[str]:
    return set(AuditEvent.objects.filter(action="export").values_list("target", flat=True))


def test_purge_command_keeps_the_default_retention_of_365_days(old_and_new):
    call_command("purge_audit")
    assert remaining_targets() == {"1"}


def test_purge_command_takes_a_retention_in_days(old_and_new):
    call_command("purge_audit", "--days", "500")
    assert remaining_targets() == {"400", "1"}


def test_purge_task_is_the_scheduled_one_and_purges(old_and_new):
    assert BEAT_SCHEDULE["purge-audit-daily"]["task"] == purge_audit.name
    assert purge_audit.apply(kwargs={"days": 500}).get() == 1
    assert remaining_targets() == {"400", "1"}


def test_a_nul_character_in_the_query_is_refused_as_a_bad_request(client_for):
    # PostgreSQL refuses NUL in text and jsonb: found by the API fuzz test (it answered 500 in views that filter).
    response = client_for("analyst").get("/api/investigations/", {"team\x00": "a\x00b"})
    assert response.status_code == 400


def test_a_nul_character_is_stored_as_a_replacement_character(role_users):
    event = audit_event(
        action="api_read", user=role_users["analyst"], target="/api/\x00", params={"team\x00": "a\x00b"}
    )
    event.refresh_from_db()
    assert (event.target, event.params) == ("/api/\ufffd", {"team\ufffd": "a\ufffdb"})
