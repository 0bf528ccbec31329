"""Import commands and tasks: summary table, --json last line, Celery tasks; the demo calls file round-trips."""

import hashlib
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from ingestion.demo.calls import DISTRICT_NUMBER as DISTRICTS
from ingestion.demo.calls import calls_csv_write
from ingestion.models import ImportRun, Incident
from ingestion.tasks import import_calls

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("layout", ["short", "portal", "arcgis"])
def test_demo_calls_file_imports_cleanly_in_every_layout(tmp_path, layout):
    path = tmp_path / f"{layout}.csv"
    assert calls_csv_write(path=path, rows=300, layout=layout) == 300
    summary = import_calls(paths=[str(path)])
    assert (summary["read"], summary["inserted"], summary["rejected"]) == (300, 300, 0)
    calls = Incident.objects.filter(source="baltimore_911")
    assert calls.filter(latitude__isnull=False).count() > 250  # a few are address-only
    assert calls.exclude(category="other").count() > 200
    assert calls.filter(borough_id__in=[f"bal-district:{d}" for d in DISTRICTS]).count() == 300


def test_demo_calls_are_deterministic_and_the_same_moment_in_every_layout(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    calls_csv_write(path=first, rows=200, seed=3)
    calls_csv_write(path=second, rows=200, seed=3)
    assert hashlib.sha256(first.read_bytes()).digest() == hashlib.sha256(second.read_bytes()).digest()
    calls_csv_write(path=tmp_path / "short.csv", rows=200, seed=3, layout="short")
    import_calls(paths=[str(first)])
    arcgis_time = Incident.objects.get(source_key="1000007").occurred_at
    Incident.objects.all().delete()
    import_calls(paths=[str(tmp_path / "short.csv")])
    assert Incident.objects.get(source_key="1000007").occurred_at == arcgis_time


def test_overdose_calls_rise_over_the_years(tmp_path):
    path = tmp_path / "calls.csv"
    calls_csv_write(path=path, rows=6_000, layout="arcgis")
    import_calls(paths=[str(path)])
    overdoses = Incident.objects.filter(category="overdose")
    tz = ZoneInfo("America/New_York")
    by_year = {year: sum(1 for o in overdoses if o.occurred_at.astimezone(tz).year == year) for year in (2019, 2023)}
    assert by_year[2023] > 1.5 * by_year[2019]


def test_command_prints_a_summary_table(tmp_path, capsys):
    path = tmp_path / "calls.csv"
    calls_csv_write(path=path, rows=100)
    call_command("import_calls", str(path))
    out = capsys.readouterr().out
    assert "inserted" in out and "total" in out and "rows/s" in out


def test_json_line_carries_run_ids_and_timing(tmp_path, capsys):
    path = tmp_path / "calls.csv"
    calls_csv_write(path=path, rows=100)
    call_command("import_calls", str(path), "--json")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert ImportRun.objects.get(pk=summary["run_ids"][0]).rows_inserted == 100
    assert {"read", "inserted", "updated", "duplicates", "rejected", "coordinates_dropped", "seconds"} <= set(summary)
