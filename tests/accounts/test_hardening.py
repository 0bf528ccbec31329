"""Issue 18's findings on accounts and the site: each test failed before the fix."""

from datetime import timedelta

import pytest
from django.conf import settings as live_settings
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.audit import audit_event
from accounts.middleware import SESSION_STARTED_KEY
from accounts.models import AuditEvent
from accounts.services import RetentionTooShort, audit_purge
from accounts.tasks import purge_audit
from ingestion.models import Area, DispatchUpdate
from tests.accounts.audit_age import audit_age
from tests.factories import TEST_PASSWORD, UserFactory

CLOSED_REDIS = "redis://127.0.0.1:6399/0"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def dispatch_body(**overrides) -> dict:
    when = (timezone.now() - timedelta(minutes=5)).replace(microsecond=0)
    body = {"incident_id": "CAD-H1", "updated_at": when.isoformat(), "status": "received", "category": "assault"}
    return body | overrides


@pytest.fixture
def westminster(db):
    return Area.objects.create(code="E09000033", name="Westminster", kind="borough")


@pytest.fixture
def dispatch_user(db):
    return UserFactory(username="cad-service", role="dispatch")


# --- 1. audit trail ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [-1, 0, 30, 364])
def test_a_purge_shorter_than_the_floor_is_refused_and_deletes_nothing(role_users, days):
    kept = audit_event(action="export", user=role_users["analyst"], target="a week old")
    audit_age(pk=kept.pk, days=7)
    with pytest.raises(RetentionTooShort):
        purge_audit.apply(kwargs={"days": days}).get()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert AuditEvent.objects.filter(action="purge", outcome="denied").count() == 1


def test_a_purge_is_audited_with_what_it_deleted(role_users):
    old = audit_event(action="export", user=role_users["analyst"])
    audit_age(pk=old.pk, days=500)
    assert audit_purge(days=400) == 1
    record = AuditEvent.objects.get(action="purge")
    assert record.params == {"days": 400, "deleted": 1}


def test_the_floor_is_configurable_upwards(role_users, settings):
    settings.AUDIT_RETENTION_FLOOR_DAYS = 730
    with pytest.raises(RetentionTooShort):
        audit_purge(days=400)


def test_changing_a_beat_tasks_arguments_is_audited(db):
    every_day = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    task = PeriodicTask.objects.create(name="purge", task="accounts.tasks.purge_audit", interval=every_day)
    task.kwargs = '{"days": -1}'
    task.save()
    changes = AuditEvent.objects.filter(action="schedule", target=f"periodic_task:{task.pk}").order_by("pk")
    assert [c.params["change"] for c in changes] == ["add", "change"]
    assert changes.last().params["fields"] == {"kwargs": ["{}", '{"days": -1}']}


def test_beats_own_bookkeeping_is_not_a_schedule_change(db):
    every_day = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    task = PeriodicTask.objects.create(name="purge", task="accounts.tasks.purge_audit", interval=every_day)
    task.last_run_at, task.total_run_count = timezone.now(), 3
    task.save()
    assert AuditEvent.objects.filter(action="schedule").count() == 1


@pytest.mark.skipif(not live_settings.USING_POSTGRES, reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize("write", ["update", "delete"])
def test_the_database_refuses_to_change_or_delete_an_audit_record(role_users, write):
    event = audit_event(action="login", user=role_users["analyst"])
    records = AuditEvent.objects.filter(pk=event.pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        records.update(target="forged") if write == "update" else records.delete()
    assert AuditEvent.objects.get(pk=event.pk).target == ""


@pytest.mark.skipif(not live_settings.USING_POSTGRES, reason="the purge function is PostgreSQL's")
def test_the_database_purge_function_refuses_a_recent_cutoff(db):
    with pytest.raises(DatabaseError, match="purge refused"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT accounts_auditevent_purge(now(), 365)")


def test_deleting_a_user_keeps_their_audit_records(db):
    user = UserFactory(username="leaver", role="analyst")
    event = audit_event(action="login", user=user)
    user.delete()
    event.refresh_from_db()
    assert (event.user, event.username) == (None, "leaver")


# --- 2. tokens, the dispatch role ------------------------------------------------------------------------------


def test_an_admin_token_is_refused_while_two_factor_is_required(role_users, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = True
    response = token_client(role_users["admin"]).get("/api/investigations/")
    assert response.status_code in (401, 403)
    assert "two-factor" in response.json()["detail"]


def test_an_expired_token_is_refused(role_users):
    client = token_client(role_users["analyst"])
    Token.objects.filter(user=role_users["analyst"]).update(created=timezone.now() - timedelta(days=31))
    response = client.get("/api/analytics/monthly/")
    assert response.status_code in (401, 403)
    assert "expired" in response.json()["detail"]


def test_a_fresh_token_works(role_users):
    assert token_client(role_users["analyst"]).get("/api/analytics/monthly/").status_code == 200


def test_issuing_and_revoking_a_token_is_audited(role_users):
    token = Token.objects.create(user=role_users["analyst"])
    token.delete()
    changes = AuditEvent.objects.filter(action="token", target="user:analyst").order_by("pk")
    assert [c.params["change"] for c in changes] == ["issue", "revoke"]


def test_the_dispatch_role_posts_to_the_feed_with_two_factor_required(dispatch_user, westminster, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ALL = True
    response = token_client(dispatch_user).post("/api/dispatch/", dispatch_body(area_code="E09000033"), format="json")
    assert response.status_code == 201
    record = AuditEvent.objects.get(action="dispatch")
    assert (record.user, record.target, record.outcome) == (dispatch_user, "incident:CAD-H1", "success")


@pytest.mark.parametrize("url", ["/api/investigations/", "/api/dispatch/recent/", "/api/analytics/monthly/"])
def test_the_dispatch_role_reads_nothing(dispatch_user, url):
    assert token_client(dispatch_user).get(url).status_code == 403


def test_the_dispatch_role_opens_no_page(client, dispatch_user):
    client.force_login(dispatch_user)
    assert client.get(reverse("dashboards:strategic")).status_code == 403
    assert client.get(reverse("admin:index")).status_code == 302


def test_saving_the_dispatch_user_keeps_its_permission(dispatch_user):
    dispatch_user.first_name = "CAD"
    dispatch_user.save()
    dispatch_user = type(dispatch_user).objects.get(pk=dispatch_user.pk)
    assert dispatch_user.has_perm("ingestion.post_dispatch")
    assert not dispatch_user.has_perm("dashboards.view_tactical")


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"area_code": "E01000001"}, "area_code"),
        ({"area_code": "NOWHERE"}, "area_code"),
        ({"occurred_at": "1800-01-01T00:00:00+00:00"}, "occurred_at"),
        ({"updated_at": (timezone.now() - timedelta(days=30)).isoformat()}, "updated_at"),
    ],
)
def test_dispatch_refuses_unknown_areas_and_implausible_times(dispatch_user, westminster, overrides, field):
    Area.objects.create(code="E01000001", name="An LSOA", kind="lsoa")
    response = token_client(dispatch_user).post("/api/dispatch/", dispatch_body(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not DispatchUpdate.objects.exists()
    assert AuditEvent.objects.get(action="dispatch").outcome == "denied"


# --- 7. Redis down ------------------------------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    """Settings pointing at a closed port: the shared Redis server other agents use keeps running."""
    settings.REDIS_URL = CLOSED_REDIS
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.CACHES = {
        "default": {
            "BACKEND": "crimedash.cache.SharedClientRedisCache",
            "LOCATION": CLOSED_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }


def test_with_redis_down_sign_in_and_pages_work(client, role_users, redis_down):
    response = client.post(reverse("login"), {"username": "officer", "password": TEST_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("investigations:actions")
    assert client.get(reverse("investigations:actions")).status_code == 200


def test_with_redis_down_the_strategic_page_and_export_work(client_for, redis_down):
    client = client_for("analyst")
    assert client.get(reverse("dashboards:strategic")).status_code == 200
    assert client.get("/dashboards/export/strategic.csv").status_code == 200
    assert client.get("/api/analytics/monthly/").status_code == 200


def test_with_redis_down_a_dispatch_post_is_stored(dispatch_user, westminster, redis_down):
    response = token_client(dispatch_user).post("/api/dispatch/", dispatch_body(), format="json")
    assert response.status_code == 201
    assert DispatchUpdate.objects.filter(incident_key="CAD-H1").exists()


def test_with_redis_down_health_answers_503_naming_redis(client, db, redis_down):
    response = client.get(reverse("health"))
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"] == {"ok": False, "state": "unreachable"}
    assert checks["database"]["ok"] is True


def test_health_reports_each_dependency(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "redis", "broker", "refresh"}


# --- 9. password reset --------------------------------------------------------------------------------------------


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(client, db):
    UserFactory(username="resetter", email="resetter@example.police.uk", role="analyst")
    url = reverse("accounts:password_reset")
    known = client.post(url, {"email": "resetter@example.police.uk"})
    unknown = client.post(url, {"email": "nobody@example.police.uk"})
    assert (
        (known.status_code, known.url) == (unknown.status_code, unknown.url) == (302, "/accounts/password-reset/done/")
    )
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
    page = client.get(link.replace("http://testserver", ""), follow=True)
    assert page.status_code == 200 and b"new_password1" in page.content


# --- 10. redirects ------------------------------------------------------------------------------------------------


def test_an_officer_signing_in_through_a_strategic_next_lands_on_actions(client, db):
    UserFactory(username="next-officer", role="officer")
    login = f"{reverse('login')}?next=/dashboards/strategic/"
    response = client.post(
        login, {"username": "next-officer", "password": TEST_PASSWORD, "next": "/dashboards/strategic/"}
    )
    assert response.url == reverse("investigations:actions")


def test_a_next_the_role_may_open_is_followed(client, db):
    UserFactory(username="next-analyst", role="analyst")
    response = client.post(
        reverse("login"), {"username": "next-analyst", "password": TEST_PASSWORD, "next": "/dashboards/tactical/"}
    )
    assert response.url == "/dashboards/tactical/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_two_factor_never_redirects_off_the_site(client_for, role_users, target):
    from tests.accounts.test_two_factor import current_token

    client = client_for("analyst")
    client.get(reverse("accounts:two_factor"))
    response = client.post(
        f"{reverse('accounts:two_factor')}?next={target}", {"token": current_token(role_users["analyst"])}
    )
    assert response.url == reverse("dashboards:analytical")


# --- 11. smaller --------------------------------------------------------------------------------------------------


def test_pages_carry_a_strict_csp_permissions_policy_and_no_store(client_for):
    response = client_for("analyst").get(reverse("dashboards:strategic"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_plotly_js_keeps_its_long_public_cache_lifetime(client_for):
    from dashboards.views import PLOTLY_VERSION

    response = client_for("analyst").get(f"/dashboards/assets/plotly-{PLOTLY_VERSION}.min.js")
    assert "immutable" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]


@pytest.mark.parametrize("query", [{"q": "a\x00b"}, {"limit": "9" * 30}, {"offset": "9" * 30}])
def test_hostile_query_parameters_answer_400_or_a_bounded_page(client_for, query):
    response = client_for("analyst").get("/api/analytics/monthly-counts/", query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert len(response.json()["results"]) <= 1000


def test_json_nested_5000_deep_answers_400(dispatch_user):
    body = "[" * 5000 + "]" * 5000
    response = token_client(dispatch_user).post("/api/dispatch/", body, content_type="application/json")
    assert response.status_code == 400


def test_failed_logins_from_one_address_are_throttled(client, db, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    UserFactory(username="sprayed", role="analyst")
    for attempt in range(3):
        client.post(reverse("login"), {"username": f"guess{attempt}", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")
    refused = client.post(reverse("login"), {"username": "sprayed", "password": TEST_PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429
    elsewhere = client.post(
        reverse("login"), {"username": "sprayed", "password": TEST_PASSWORD}, REMOTE_ADDR="10.9.9.8"
    )
    assert elsewhere.status_code == 302


def test_the_admin_login_is_throttled_by_address_too(client, db, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    for attempt in range(2):
        client.post("/admin/login/", {"username": f"guess{attempt}", "password": "wrong"}, REMOTE_ADDR="10.9.9.7")
    assert client.post("/admin/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.9.9.7").status_code == 429


def test_enrolling_two_factor_needs_a_fresh_sign_in(client_for):
    client = client_for("analyst")
    session = client.session
    session[SESSION_STARTED_KEY] -= 3600
    session.save()
    response = client.get(reverse("accounts:two_factor"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_admin_page_views_are_audited(client_for):
    client_for("admin").get(reverse("admin:accounts_user_changelist"))
    assert AuditEvent.objects.filter(action="view", target="/admin/accounts/user/").exists()


def test_gunicorn_binds_to_loopback_by_default(monkeypatch):
    import runpy

    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    config = runpy.run_path(str(live_settings.BASE_DIR / "crimedash" / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:8000"


# --- issue 12 item 6: SQLite for the demo's three processes ----------------------------------------------------------


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_immediate_writes(tmp_path):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    demo = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "demo.sqlite3")}
    wrapper = DatabaseWrapper({**connection.settings_dict, **demo, "OPTIONS": live_settings.SQLITE_OPTIONS})
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000
    finally:
        raw.close()
    assert wrapper.transaction_mode == "IMMEDIATE"
