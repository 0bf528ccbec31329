"""A call's lifecycle times (dispatched, en route, on scene, cleared): from CAD mapping columns and from the live
dispatch feed; a call whose times run backwards is refused with a reason."""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from ingestion.lifecycle import NO_RESPONSE_TIMES, lifecycle_problem
from ingestion.models import Incident, RejectedRow
from ingestion.services import calls_import

pytestmark = pytest.mark.django_db

MAPPING = {
    "source": "timed_cad",
    "id": "Ref",
    "time": {"column": "Received", "format": "%d/%m/%Y %H:%M", "zone": "Europe/London"},
    "category": "Type",
    "priority": "Priority",
    "dispatched": "Assigned",
    "en_route": "Enroute",
    "on_scene": "Arrived",
    "cleared": {"column": "Cleared", "format": "%Y-%m-%d %H:%M:%S"},
}
CSV = (
    "Ref,Received,Type,Priority,Assigned,Enroute,Arrived,Cleared\n"
    "R1,01/07/2024 18:05,ASSAULT,Emergency,01/07/2024 18:08,01/07/2024 18:09,01/07/2024 18:17,2024-07-01 19:02:30\n"
    "R2,01/07/2024 19:00,THEFT,Priority,01/07/2024 19:20,,,\n"
    "R3,01/07/2024 20:00,ASSAULT,Emergency,01/07/2024 20:02,,01/07/2024 20:14,2024-07-01 20:10:00\n"
    "R4,01/07/2024 21:00,ASSAULT,Emergency,01/07/2024 20:55,,,\n"
    "R5,01/07/2024 22:00,ASSAULT,Emergency,01/07/2024 22:03,,soon,\n"
)


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "timed.json"
    path.write_text(json.dumps(MAPPING))
    return path


def _import(tmp_path, mapping, text=CSV):
    (tmp_path / "calls.csv").write_text(text)
    (run,) = calls_import(paths=[tmp_path / "calls.csv"], mapping=mapping, max_error_rate=0.9)
    return run


def test_mapping_columns_give_lifecycle_times_in_the_sources_zone(tmp_path, mapping):
    _import(tmp_path, mapping)
    first = Incident.objects.get(source="timed_cad", source_key="R1")
    # 1 July is BST: 18:05 local is 17:05 UTC, and so are the other times
    assert first.occurred_at == datetime(2024, 7, 1, 17, 5, tzinfo=UTC)
    assert first.dispatched_at == datetime(2024, 7, 1, 17, 8, tzinfo=UTC)
    assert first.en_route_at == datetime(2024, 7, 1, 17, 9, tzinfo=UTC)
    assert first.on_scene_at - first.occurred_at == timedelta(minutes=12)
    assert first.cleared_at == datetime(2024, 7, 1, 18, 2, 30, tzinfo=UTC)
    second = Incident.objects.get(source_key="R2")
    assert second.dispatched_at is not None and (second.on_scene_at, second.cleared_at) == (None, None)


def test_a_call_cleared_before_on_scene_is_quarantined_with_its_line_and_reason(tmp_path, mapping):
    run = _import(tmp_path, mapping)
    assert (run.rows_inserted, run.rows_rejected) == (2, 3)
    rejected = {row.line_number: row.reason for row in RejectedRow.objects.filter(run=run)}
    assert rejected[4].startswith("cleared (2024-07-01T20:10:00+01:00) before on scene (2024-07-01T20:14:00+01:00)")
    assert rejected[5].startswith("dispatched (2024-07-01T20:55:00+01:00) before received")
    assert rejected[6] == "impossible on scene time: 'soon'"
    assert not Incident.objects.filter(source_key__in=["R3", "R4", "R5"]).exists()


def test_a_re_import_without_times_keeps_the_known_ones(tmp_path, mapping):
    _import(tmp_path, mapping)
    blank = CSV.splitlines()[0] + "\nR1,01/07/2024 18:05,ASSAULT,Emergency,,,,\n"
    run = _import(tmp_path, mapping, blank)
    assert run.rows_duplicate == 1
    assert Incident.objects.get(source_key="R1").on_scene_at == datetime(2024, 7, 1, 17, 17, tzinfo=UTC)


def test_a_later_export_with_a_corrected_time_updates_it(tmp_path, mapping):
    _import(tmp_path, mapping)
    later = CSV.splitlines()[0] + "\nR2,01/07/2024 19:00,THEFT,Priority,01/07/2024 19:20,,01/07/2024 19:41,\n"
    run = _import(tmp_path, mapping, later)
    assert run.rows_updated == 1
    incident = Incident.objects.get(source_key="R2")
    assert incident.on_scene_at - incident.occurred_at == timedelta(minutes=41)


def test_dry_run_says_when_a_source_records_no_response_times(tmp_path):
    example = "ingestion/data/cad_mapping_example.json"
    (tmp_path / "cad.csv").write_text(
        "IncidentNumber,Created,CallType,Priority,Status,Address,Lat,Lon,Borough,Beat\n"
        "CAD-1,28/03/2024 01:30,DOMESTIC INCIDENT,High,Dispatched,1 Whitehall,51.5045,-0.1263,Westminster,W1\n"
        "CAD-2,28/03/2024 01:40,THEFT,Low,Closed,2 Whitehall,51.5045,-0.1263,Westminster,W1\n"
    )
    out = StringIO()
    # a preview longer than the file reads it to its end (it once stumbled on the file closed under it)
    call_command("import_calls", str(tmp_path / "cad.csv"), "--mapping", example, "--dry-run", "5", stdout=out)
    assert out.getvalue().count(f"lifecycle {NO_RESPONSE_TIMES}") == 2


def test_lifecycle_problem_skips_missing_steps():
    start = datetime(2024, 1, 1, tzinfo=UTC)
    assert lifecycle_problem({"occurred_at": start, "cleared_at": start + timedelta(minutes=5)}) is None
    problem = lifecycle_problem({"occurred_at": start, "on_scene_at": start - timedelta(minutes=1)})
    assert problem.startswith("on scene (2023-12-31T23:59:00+00:00) before received")


# --- the live dispatch feed ---------------------------------------------------------------------------------

URL = "/api/dispatch/"


def _post(client, status: str, at: datetime, **extra):
    body = {"incident_id": "CAD-9", "status": status, "updated_at": at.isoformat(), "priority": "Emergency",
            "category": "assault", "latitude": 51.5126, "longitude": -0.1337, **extra}  # fmt: skip
    return client.post(URL, body, format="json")


def test_feed_updates_set_each_lifecycle_time(cad):
    start = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    steps = (("received", 0), ("dispatched", 3), ("en_route", 4), ("on_scene", 14), ("resolved", 50))
    for status, minutes in steps:
        assert _post(cad, status, start + timedelta(minutes=minutes)).status_code == 201
    incident = Incident.objects.get(source="cad", source_key="CAD-9")
    assert incident.dispatched_at - incident.occurred_at == timedelta(minutes=3)
    assert incident.en_route_at - incident.occurred_at == timedelta(minutes=4)
    assert incident.on_scene_at - incident.occurred_at == timedelta(minutes=14)
    assert incident.cleared_at - incident.on_scene_at == timedelta(minutes=36)
    assert incident.status == "resolved"


def test_a_late_earlier_update_gives_its_time_without_changing_the_status(cad):
    start = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    _post(cad, "received", start)
    _post(cad, "on_scene", start + timedelta(minutes=20))
    assert _post(cad, "dispatched", start + timedelta(minutes=6)).status_code == 201
    incident = Incident.objects.get(source_key="CAD-9")
    assert incident.status == "on_scene" and incident.dispatched_at == start + timedelta(minutes=6)
    # a unit back on scene later does not lengthen the response: the first arrival counts
    _post(cad, "on_scene", start + timedelta(minutes=30))
    assert Incident.objects.get(source_key="CAD-9").on_scene_at == start + timedelta(minutes=20)


def test_feed_refuses_cleared_before_on_scene_with_a_reason(cad):
    start = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    _post(cad, "received", start)
    _post(cad, "on_scene", start + timedelta(minutes=20))
    refused = _post(cad, "resolved", start + timedelta(minutes=15))
    assert refused.status_code == 400
    assert "cleared" in refused.json()["updated_at"] and "before on scene" in refused.json()["updated_at"]
    assert Incident.objects.get(source_key="CAD-9").cleared_at is None


def test_feed_refuses_on_scene_before_the_call_was_received(cad):
    # three minutes: within the clock skew the feed allows between occurred_at and updated_at
    start = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    refused = _post(cad, "on_scene", start, occurred_at=(start + timedelta(minutes=3)).isoformat())
    assert refused.status_code == 400 and "before received" in refused.json()["updated_at"]
    assert not Incident.objects.filter(source_key="CAD-9").exists()
