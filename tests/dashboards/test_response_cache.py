"""Whole pages and API answers are kept rendered (crimedash.response_cache): a repeated view reads no rollup and no
incident, yet a refresh, a dispatch update or an acknowledged alert shows on the next view, every user gets their own
CSRF token and header, and the cache never lets a refused user in or one scope see another's rows."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from analytics.models import Alert
from crimedash.caching import bump_generation
from crimedash.response_cache import CSRF_PLACEHOLDER
from ingestion.dispatch import dispatch_update_record
from tests.dashboards.factories import CAMDEN, WESTMINSTER
from tests.factories import UserFactory

DATA_TABLES = ("ingestion_incident", "analytics_")


def _data_reads(client, url: str, **headers) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response, [query["sql"] for query in queries if any(table in query["sql"] for table in DATA_TABLES)]


def _without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _alert(borough: str, category: str = "burglary") -> Alert:
    return Alert.objects.create(area_code=borough, level="borough", borough_code=borough, category=category,
                                period="month", period_start="2024-01-01", observed=30, expected=10, lower=4,
                                upper=16, p_value=0.001, direction="up")  # fmt: skip


@pytest.mark.parametrize(
    "role, url",
    [
        ("commander", "/dashboards/tactical/"),
        ("commander", "/dashboards/incidents/"),
        ("executive", "/dashboards/strategic/briefing/"),
        ("analyst", "/dashboards/analytical/"),
        ("analyst", "/api/analytics/kpis/"),
        ("analyst", "/api/demand-forecasts/"),
        ("analyst", "/api/analytics/monthly-counts/"),
    ],
)
def test_a_repeated_view_reads_no_incident_and_no_rollup(client_for, forecast_data, role, url):
    client = client_for(role)
    _first, reads = _data_reads(client, url)
    assert reads, "the first view computes from the data"
    again, reads = _data_reads(client, url)
    assert reads == []
    assert _without_tokens(again) == _without_tokens(_first)


def test_a_refresh_makes_every_kept_answer_stale(client_for, dashboard_data):
    client = client_for("analyst")
    for url in ("/dashboards/strategic/", "/api/analytics/monthly/"):
        _data_reads(client, url)
    bump_generation()
    for url in ("/dashboards/strategic/", "/api/analytics/monthly/"):
        assert _data_reads(client, url)[1], f"{url} served a page kept from before the refresh"


def test_a_dispatch_update_shows_on_the_next_tactical_view(
    client_for, dashboard_data, django_capture_on_commit_callbacks
):
    client = client_for("commander")
    before = client.get("/dashboards/tactical/").content.decode()
    when = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=1)
    place = {"latitude": 51.513, "longitude": -0.132, "location_text": "Greek Street", "area_code": WESTMINSTER}
    data = {"incident_id": "CAD-77", "updated_at": when, "status": "received", "category": "assault", **place}
    with django_capture_on_commit_callbacks(execute=True):
        update, _created = dispatch_update_record(data=data)
    feed_item = f'data-incident="{update.incident_id}"'
    assert feed_item not in before
    assert feed_item in client.get("/dashboards/tactical/").content.decode()
    detail = reverse("dashboards:incident", args=[update.incident_id])
    assert detail in client.get("/dashboards/incidents/").content.decode()


def test_an_acknowledged_alert_leaves_the_page_and_the_api(
    client_for, dashboard_data, django_capture_on_commit_callbacks
):
    alert = _alert(WESTMINSTER, category="robbery")
    client = client_for("commander")
    action = reverse("dashboards:alert_action", args=[alert.pk])
    assert action in client.get("/dashboards/tactical/").content.decode()
    assert [row["id"] for row in client.get("/api/analytics/alerts/?state=open").json()["results"]] == [alert.pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(action, {"action": "acknowledge"})
    with_message = client.get("/dashboards/tactical/").content.decode()
    assert "Alert acknowledged." in with_message and action not in with_message
    again = client.get("/dashboards/tactical/").content.decode()  # the message is gone; the page is kept again
    assert "Alert acknowledged." not in again and action not in again
    assert client.get("/api/analytics/alerts/?state=open").json()["results"] == []


def test_every_viewer_posts_with_their_own_valid_csrf_token(role_users, dashboard_data, org):
    second = UserFactory(username="second-commander", role="commander", unit=org["westminster"])
    for user in (role_users["commander"], second, role_users["commander"]):  # the last reads its own kept page
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        client.get("/dashboards/tactical/")
        page = client.get("/dashboards/tactical/").content.decode()
        assert CSRF_PLACEHOLDER not in page and user.get_full_name() in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert client.post(reverse("logout")).status_code == 403, "a post without the token is refused"
        assert client.post(reverse("logout"), {"csrfmiddlewaretoken": token}).status_code == 302


def test_pages_are_kept_per_user_and_answers_per_scope(client_for, role_users, dashboard_data, org):
    other = UserFactory(username="other-analyst", first_name="Olive", last_name="Other", role="analyst",
                        unit=role_users["analyst"].unit)  # fmt: skip
    client_for("analyst").get("/dashboards/strategic/")
    client = Client()
    client.force_login(other)
    assert "Olive Other" in client.get("/dashboards/strategic/").content.decode()
    areas = {row["area_code"] for row in client.get("/api/analytics/areas/").json()}
    assert {WESTMINSTER, CAMDEN} <= areas
    commander_areas = {row["area_code"] for row in client_for("commander").get("/api/analytics/areas/").json()}
    assert commander_areas == {WESTMINSTER}


@pytest.mark.parametrize(
    "role, url",
    [
        ("officer", "/dashboards/tactical/"),
        ("executive", "/dashboards/analytical/"),
        ("supervisor", "/dashboards/incidents/"),
        ("executive", "/api/analytics/hour-weekday/"),
        ("officer", "/api/analytics/kpis/"),
        ("commander", "/api/analytics/monthly-counts/"),
    ],
)
def test_a_kept_answer_never_opens_to_a_role_that_may_not_see_it(client_for, dashboard_data, role, url):
    assert client_for("admin").get(url).status_code == 200  # kept for the admin
    assert client_for(role).get(url).status_code == 403


def test_an_export_is_audited_every_time_it_is_served(client_for, dashboard_data):
    client = client_for("analyst")
    first, _ = _data_reads(client, "/dashboards/export/tactical.geojson")
    second, reads = _data_reads(client, "/dashboards/export/tactical.geojson")
    assert reads == [] and second.content == first.content
    assert AuditEvent.objects.filter(action="export", target="tactical.geojson").count() == 2


def test_a_release_makes_every_kept_page_stale(client_for, dashboard_data):
    """Deployments run migrate; pages kept by the old code (its templates, its static names) must not outlive it."""
    client = client_for("analyst")
    _data_reads(client, "/dashboards/strategic/")
    call_command("migrate", verbosity=0)
    assert _data_reads(client, "/dashboards/strategic/")[1], "a page kept before the release was served after it"
