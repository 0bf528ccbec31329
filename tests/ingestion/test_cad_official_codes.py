"""A CAD mapping whose area column holds official codes (empty prefix) links incidents to those areas as they are."""

import json

import pytest

from ingestion.models import Area, Incident
from ingestion.services import calls_import

CSV = """IncidentNumber,Created,CallType,Priority,Status,Address,Lat,Lon,Borough,Beat
CAD1,01/10/2026 21:15,Assault,Emergency,Closed,Strand,51.5101,-0.1200,E09000033,Strand beat 1
CAD2,01/10/2026 22:40,Theft,Priority,Open,Camden High St,51.5390,-0.1426,E09000007,Camden beat 2
"""
MAPPING = {
    "source": "cad_demo",
    "id": "IncidentNumber",
    "time": {"column": "Created", "format": "%d/%m/%Y %H:%M", "zone": "Europe/London"},
    "category": "CallType",
    "priority": "Priority",
    "status": "Status",
    "location": "Address",
    "latitude": "Lat",
    "longitude": "Lon",
    "areas": [{"column": "Borough", "kind": "borough", "prefix": ""}, {"column": "Beat", "kind": "post"}],
}


@pytest.mark.django_db
def test_official_borough_codes_link_without_renaming_the_borough(tmp_path):
    Area.objects.create(code="E09000033", name="Westminster", kind="borough")
    (tmp_path / "cad.csv").write_text(CSV)
    (tmp_path / "mapping.json").write_text(json.dumps(MAPPING))
    calls_import(paths=[tmp_path / "cad.csv"], mapping=tmp_path / "mapping.json")
    assert Incident.objects.get(source_key="CAD1").borough_id == "E09000033"
    assert Incident.objects.get(source_key="CAD2").borough_id == "E09000007"
    assert Area.objects.get(code="E09000033").name == "Westminster"
    assert Incident.objects.get(source_key="CAD1").post_id == "cad-post:STRAND BEAT 1"
