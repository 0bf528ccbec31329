"""fetch_police_uk end to end against the local fake API: records, areas, outcomes, idempotence, failures."""

import json

import pytest
from django.core.management import CommandError, call_command

from ingestion.models import Area, ImportRun, Incident
from tests.ingestion.fake_police_api import FakePoliceApi, crimes_at

FIXTURE_IDS = 9  # 7 located crimes (all inside the two boxes) + 2 without location


def fetch(api, *args) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("fetch_police_uk", "--months", "2024-01", "--base-url", api.url, "--json", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_fetch_stores_every_crime_with_borough_and_outcomes(two_boroughs):
    with FakePoliceApi() as api:
        summary = fetch(api, "--areas", *two_boroughs)
    assert summary["inserted"] == FIXTURE_IDS
    assert Incident.objects.filter(source="police_uk").count() == FIXTURE_IDS
    soho = Incident.objects.get(source_key="4c1f5d1a35f0b1f39b3a4c8e2f0f1bd0a9f4a3e8c77b9dbe31f9c4a3b5e7d2a1")
    assert soho.borough_id == "E09000033"
    assert soho.force_id == "puk-force:metropolitan"
    assert soho.outcome == "Investigation complete; no suspect identified"
    assert len(soho.outcome_history) == 2
    asb = Incident.objects.get(source_key="api:116208998")
    assert (asb.kind, asb.time_precision, asb.location_text) == ("asb", "month", "On or near Frith Street")
    assert Incident.objects.get(source_key__startswith="e3a1c8d2").borough_id == "E09000001"
    assert Area.objects.filter(kind="neighborhood", parent_id="puk-force:metropolitan").count() == 5


def test_fetching_again_inserts_nothing(two_boroughs):
    with FakePoliceApi() as api:
        fetch(api, "--areas", *two_boroughs)
        again = fetch(api, "--areas", *two_boroughs)
    assert again["inserted"] == 0
    assert Incident.objects.count() == FIXTURE_IDS


def test_busy_polygons_are_split_and_each_crime_stored_once(two_boroughs):
    points = [(-0.19 + 0.15 * i / 9, 51.49 + 0.06 * j / 9) for i in range(10) for j in range(10)]
    with FakePoliceApi(crimes=crimes_at(points), max_crimes=15) as api:
        summary = fetch(api, "--areas", *two_boroughs, "--outcome-limit", "0")
    assert summary["splits"] >= 2
    assert Incident.objects.exclude(latitude=None).count() == 100


def test_malformed_json_fails_the_run_and_keeps_earlier_data(two_boroughs):
    with FakePoliceApi() as api:
        fetch(api, "--areas", *two_boroughs)
        api.fail_next("crimes-no-location", body=b'[{"category": "drugs", "loc')
        with pytest.raises(CommandError, match="malformed JSON"):
            fetch(api, "--areas", *two_boroughs)
    failed = ImportRun.objects.get(status="failed")
    assert "malformed JSON" in failed.error
    assert Incident.objects.count() == FIXTURE_IDS


def test_areas_without_boundaries_are_refused_with_the_fix(db):
    with FakePoliceApi() as api, pytest.raises(CommandError, match="import_reference boundaries"):
        fetch(api, "--areas", "E09000007")


def test_monthly_beat_task_fetches_the_configured_areas(two_boroughs, monkeypatch):
    from ingestion import conf
    from ingestion.tasks import fetch_police_uk_configured

    with FakePoliceApi() as api:
        monkeypatch.setattr(conf, "POLICE_UK_API_URL", api.url)
        monkeypatch.setattr(conf, "POLICE_UK_AREAS", two_boroughs)
        summary = fetch_police_uk_configured()
    assert summary["status"] == "succeeded"
    assert {r["path"] for r in api.requests} >= {"forces", "crimes-street/all-crime", "crimes-no-location"}
