"""Generic CAD exports: a JSON column mapping turns any force's calls CSV into call Incidents."""

import json
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from ingestion.models import Area, Incident, RejectedRow
from ingestion.services import calls_import

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[2] / "ingestion" / "data" / "cad_mapping_example.json"
CSV = (
    "IncidentNumber,Created,CallType,Priority,Status,Address,Lat,Lon,Borough,Beat\n"
    "CAD-1,28/03/2024 01:30,DOMESTIC INCIDENT,High,Dispatched,1 Whitehall,51.5045,-0.1263,Westminster,W1\n"
    "CAD-2,01/07/2024 18:05,SHOPLIFTING,Low,Closed,Oxford St,51.5152,-0.1418,Westminster,W2\n"
    "CAD-3,31/02/2024 10:00,ALARM,Low,Closed,Strand,51.51,-0.12,Westminster,W2\n"
    ",01/07/2024 18:05,ALARM,Low,Closed,Strand,51.51,-0.12,Westminster,W2\n"
    "CAD-5,02/07/2024 09:00,ALARM ACTIVATION,Low,Open,Strand,0,0,Westminster,W2\n"
)


def test_example_mapping_imports_a_cad_export(tmp_path):
    path = tmp_path / "cad.csv"
    path.write_text(CSV)
    (run,) = calls_import(paths=[path], mapping=EXAMPLE, max_error_rate=0.5)
    assert (run.source, run.rows_read, run.rows_inserted, run.rows_rejected) == ("cad_example", 5, 3, 2)
    assert run.coordinates_dropped == 1
    first = Incident.objects.get(source="cad_example", source_key="CAD-1")
    assert (first.category, first.priority, first.status) == ("domestic-family", "High", "Dispatched")
    assert first.borough_id == "cad-borough:WESTMINSTER" and first.post_id == "cad-post:W1"
    # 28 March 2024 01:30 is GMT (BST began on the 31st); 1 July 18:05 is BST, 17:05 UTC
    assert first.occurred_at.astimezone(ZoneInfo("UTC")).hour == 1
    assert Incident.objects.get(source_key="CAD-2").occurred_at.astimezone(ZoneInfo("UTC")).hour == 17
    assert Area.objects.get(code="cad-post:W1").kind == "post"
    reasons = set(RejectedRow.objects.filter(run=run).values_list("reason", flat=True))
    assert reasons == {"missing id", "impossible date: '31/02/2024 10:00'"}


def test_mapping_with_iso_times_and_a_point_column(tmp_path):
    mapping = {"source": "other force", "id": "id", "time": {"column": "t", "format": "iso", "zone": "UTC"},
               "category": "what", "point": "where"}  # fmt: skip
    (tmp_path / "m.json").write_text(json.dumps(mapping))
    (tmp_path / "c.csv").write_text('id,t,what,where\nA,2024-01-02T03:04:05+01:00,OVERDOSE,"(39.3, -76.6)"\n')
    (run,) = calls_import(paths=[tmp_path / "c.csv"], mapping=tmp_path / "m.json")
    incident = Incident.objects.get(source="other_force", source_key="A")
    assert incident.category == "overdose" and incident.latitude == 39.3
    assert incident.occurred_at.astimezone(ZoneInfo("UTC")).hour == 2


def test_bad_mapping_or_missing_mapped_columns_name_the_file(tmp_path):
    (tmp_path / "bad.json").write_text('{"id": "x"}')
    (tmp_path / "c.csv").write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="bad.json: not a usable CAD mapping"):
        call_command("import_calls", str(tmp_path / "c.csv"), "--mapping", str(tmp_path / "bad.json"))
    shutil.copy(EXAMPLE, tmp_path / "example.json")
    with pytest.raises(CommandError, match="c.csv: missing column.*IncidentNumber"):
        call_command("import_calls", str(tmp_path / "c.csv"), "--mapping", str(tmp_path / "example.json"))
