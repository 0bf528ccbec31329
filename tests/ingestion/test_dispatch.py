"""Live dispatch feed: POST /api/dispatch/ from a CAD system, GET /api/dispatch/recent/ for the tactical page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from ingestion.models import DispatchUpdate, Incident

URL = "/api/dispatch/"


def update(**overrides) -> dict:
    when = (timezone.now() - timedelta(minutes=10)).replace(microsecond=0)
    body = {
        "incident_id": "CAD-1001",
        "updated_at": when.isoformat(),
        "status": "received",
        "category": "assault",
        "priority": "Emergency",
        "latitude": 51.5126,
        "longitude": -0.1337,
        "location_text": "Frith Street",
    }
    return body | overrides


def test_new_incident_is_stored_as_a_minute_precision_call(cad):
    response = cad.post(URL, update(), format="json")
    assert response.status_code == 201
    incident = Incident.objects.get(source="cad", source_key="CAD-1001")
    assert (incident.kind, incident.time_precision, incident.status) == ("call", "minute", "received")
    assert incident.borough_id == "E09000033"
    assert incident.occurred_at.second == 0


def test_posting_the_same_update_again_changes_nothing(cad):
    body = update()
    assert cad.post(URL, body, format="json").status_code == 201
    again = cad.post(URL, body, format="json")
    assert again.status_code == 200 and again.json()["created"] is False
    assert DispatchUpdate.objects.count() == 1


def test_status_changes_build_a_history_and_an_older_late_update_does_not_overwrite(cad):
    start = timezone.now() - timedelta(minutes=30)
    for minutes, state in ((0, "received"), (5, "dispatched"), (20, "on_scene")):
        cad.post(URL, update(updated_at=(start + timedelta(minutes=minutes)).isoformat(), status=state), format="json")
    cad.post(URL, update(updated_at=(start + timedelta(minutes=10)).isoformat(), status="en_route"), format="json")
    incident = Incident.objects.get(source_key="CAD-1001")
    assert incident.status == "on_scene"
    assert list(incident.dispatch_updates.values_list("status", flat=True)) == [
        "received", "dispatched", "en_route", "on_scene"
    ]  # fmt: skip


def test_an_update_to_a_known_call_reads_no_new_call_fields(cad):
    start = timezone.now() - timedelta(minutes=30)
    cad.post(URL, update(updated_at=start.isoformat()), format="json")
    with CaptureQueriesContext(connection) as queries:
        later = update(updated_at=(start + timedelta(minutes=5)).isoformat(), status="dispatched")
        assert cad.post(URL, later, format="json").status_code == 201
    zone_reads = [q["sql"] for q in queries if 'NOT ("ingestion_incident"."time_zone" =' in q["sql"]]
    assert zone_reads == []  # the source's zone is asked only when a call is new
    assert Incident.objects.get(source_key="CAD-1001").status == "dispatched"


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"incident_id": None}, "incident_id", "null"),
        ({"updated_at": "yesterday"}, "updated_at", "Datetime has wrong format"),
        ({"updated_at": "2025-03-01T21:15:00"}, "updated_at", "time zone offset"),
        ({"status": "teleported"}, "status", "not a valid choice"),
    ],
)
def test_invalid_posts_get_a_400_naming_the_field(cad, body, field, message):
    response = cad.post(URL, update(**body), format="json")
    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert not Incident.objects.exists()


def test_missing_fields_are_named(cad):
    response = cad.post(URL, {"category": "assault"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"incident_id", "updated_at", "status"}


def test_posting_needs_the_post_dispatch_permission(client_for):
    response = client_for("analyst").post(URL, update(), content_type="application/json")
    assert response.status_code == 403


def test_posting_without_a_token_is_refused(db):
    assert APIClient().post(URL, update(), format="json").status_code in (401, 403)


def test_recent_feed_returns_updates_since_a_time_scoped_to_the_users_area(cad, client_for):
    cad.post(URL, update(), format="json")
    cad.post(URL, update(incident_id="CAD-2002", latitude=51.5155, longitude=-0.0925), format="json")  # the City
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    force_wide = client_for("analyst").get(reverse("ingestion-dispatch-recent"), {"since": since}).json()
    assert {u["incident_id"] for u in force_wide["updates"]} == {"CAD-1001", "CAD-2002"}
    westminster = client_for("commander").get(reverse("ingestion-dispatch-recent"), {"since": since}).json()
    assert [u["incident_id"] for u in westminster["updates"]] == ["CAD-1001"]
    later = client_for("analyst").get(reverse("ingestion-dispatch-recent"), {"since": force_wide["now"]}).json()
    assert later["updates"] == []


def test_recent_feed_refuses_a_bad_since(client_for):
    response = client_for("analyst").get(reverse("ingestion-dispatch-recent"), {"since": "last week"})
    assert response.status_code == 400


def test_simulate_dispatch_streams_the_demo_cad_file_through_the_service(two_boroughs, tmp_path):
    from django.core.management import call_command

    (tmp_path / "cad-incidents.csv").write_text(
        "IncidentNumber,Created,CallType,Priority,Status,Address,Lat,Lon,Beat\n"
        "CAD-1,2025-01-01T10:00:00+00:00,Assault,Emergency,Open,Frith Street,51.5126,-0.1337,W1\n"
        "CAD-2,2025-01-01T10:05:00+00:00,Theft,Priority,Open,Cheapside,51.5155,-0.0925,C1\n"
    )
    call_command("simulate_dispatch", "--dir", str(tmp_path), "--rate", "0", "--count", "8")
    assert DispatchUpdate.objects.count() == 8
    assert Incident.objects.get(source="cad", source_key="CAD-1").status == "resolved"
    assert Incident.objects.get(source="cad", source_key="CAD-2").borough_id == "E09000001"


def test_a_call_type_without_our_category_is_read_by_the_taxonomy(cad):
    body = update(incident_id="CAD-2001", raw_category="CARDIAC ARREST")
    del body["category"]
    assert cad.post(URL, body, format="json").status_code == 201
    incident = Incident.objects.get(source="cad", source_key="CAD-2001")
    assert (incident.category, incident.raw_category) == ("medical", "CARDIAC ARREST")


def test_a_late_update_stamped_before_the_last_poll_still_reaches_the_feed(cad, client_for):
    last_poll = timezone.now().isoformat()
    stamped_earlier = (timezone.now() - timedelta(minutes=20)).replace(microsecond=0)
    late = update(incident_id="CAD-LATE", updated_at=stamped_earlier.isoformat())
    assert cad.post(URL, late, format="json").status_code == 201
    feed = client_for("analyst").get(reverse("ingestion-dispatch-recent"), {"since": last_poll}).json()
    assert [u["incident_id"] for u in feed["updates"]] == ["CAD-LATE"]
    assert feed["latest_update_at"] is not None


def test_the_hourly_refresh_counts_calls_the_feed_posted_since_the_last_one(cad):
    from analytics.models import MonthlyCount
    from analytics.refresh import analytics_refresh

    analytics_refresh(full=True)
    assert cad.post(URL, update(), format="json").status_code == 201
    refresh = analytics_refresh()  # no import run: the hourly catch-up
    month = Incident.objects.get(source_key="CAD-1001").local_date.replace(day=1)
    assert refresh.months == [f"{month:%Y-%m}"] and refresh.boroughs == ["E09000033"]
    calls = MonthlyCount.objects.filter(source="cad", level="borough", area_code="E09000033", month=month)
    assert sum(calls.values_list("count", flat=True)) == 1
