"""The demo's calls carry plausible lifecycle times: in the CAD export (through the real importer) and replayed by
simulate_dispatch, so the response-times panel of `make demo` has something true to show."""

import importlib
from datetime import timedelta
from statistics import median

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from analytics.filters import AnalyticsFilters
from analytics.models import ResponseTarget
from analytics.refresh import analytics_refresh
from analytics.response_times import response_time_summary
from demo.management.commands.import_demo_data import DATA_DIR
from ingestion.demo.cad import cad_csv_write
from ingestion.demo.places import demo_places_build
from ingestion.models import Incident, RejectedRow

pytestmark = pytest.mark.django_db


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def test_demo_cad_export_gives_response_times_with_some_calls_over_target(tmp_path, role_users):
    path = tmp_path / "cad-incidents.csv"
    cad_csv_write(path=path, places=demo_places_build(seed=7), now=timezone.now(), seed=7, days=20, per_day=60)
    call_command("import_calls", str(path), "--mapping", str(DATA_DIR / "cad_mapping_demo.json"))
    assert not RejectedRow.objects.exists()  # no call's times run backwards
    emergencies = list(Incident.objects.filter(priority="Emergency", on_scene_at__isnull=False))
    response = [_minutes(call.on_scene_at - call.occurred_at) for call in emergencies]
    delay = [_minutes(call.dispatched_at - call.occurred_at) for call in emergencies]
    assert 6 <= median(response) <= 15 and median(delay) <= 3
    assert 0.03 < sum(minutes > 15 for minutes in response) / len(response) < 0.4  # some miss the target
    priority = [_minutes(c.on_scene_at - c.occurred_at) for c in Incident.objects.filter(priority="Priority")
                if c.on_scene_at]  # fmt: skip
    assert median(priority) > median(response)
    phoned = Incident.objects.filter(priority="Resolve without deployment")
    assert phoned.exists() and not phoned.filter(on_scene_at__isnull=False).exists()
    # the default targets of the migration (a flushed test database may have lost them), and the panel's numbers
    importlib.import_module("analytics.migrations.0011_response_times").default_targets(apps, None)
    assert ResponseTarget.objects.get(priority="Emergency").target_minutes == 15
    analytics_refresh(full=True)
    summary = response_time_summary(user=role_users["analyst"], filters=AnalyticsFilters())
    emergency = next(row for row in summary["by_priority"] if row["priority"] == "Emergency")
    assert 0.6 < emergency["within_target"] < 0.97


def test_simulate_dispatch_replays_a_rows_own_response_time(two_boroughs, tmp_path):
    (tmp_path / "cad-incidents.csv").write_text(
        "IncidentNumber,Created,CallType,Priority,Status,Address,Lat,Lon,Beat,Assigned,EnRoute,Arrived,Cleared\n"
        "CAD-1,01/01/2025 10:00,Assault,Emergency,Closed,Frith Street,51.5126,-0.1337,W1,"
        "01/01/2025 10:02,01/01/2025 10:03,01/01/2025 10:19,01/01/2025 10:50\n"
        "CAD-2,01/01/2025 10:05,Theft,Resolve without deployment,Closed,Cheapside,51.5155,-0.0925,C1,,,,"
        "01/01/2025 10:30\n"
    )
    call_command("simulate_dispatch", "--dir", str(tmp_path), "--rate", "0")
    first = Incident.objects.get(source="cad", source_key="CAD-1")
    assert first.status == "resolved" and first.dispatch_updates.count() == 5
    assert 19 <= _minutes(first.on_scene_at - first.occurred_at) < 20.5  # received truncated to its minute
    assert 2 <= _minutes(first.dispatched_at - first.occurred_at) < 3.5
    assert first.cleared_at <= timezone.now()
    phoned = Incident.objects.get(source="cad", source_key="CAD-2")
    assert phoned.on_scene_at is None and phoned.cleared_at is not None
