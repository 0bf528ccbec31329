"""CAD exports of any force: no id column (content hash + occurrence), ids of several columns, area kinds checked,
a dry run that writes nothing, and the real Montgomery County and Milwaukee exports with the shipped mappings."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from ingestion.models import ImportRun, Incident
from ingestion.services import calls_import

pytestmark = pytest.mark.django_db

DATA = Path(settings.BASE_DIR) / "ingestion" / "data"
HEADER = "lat,lng,desc,zip,title,timeStamp,twp,addr,e"
ROWS = [
    "40.29,-75.58,REINDEER CT; NEW HANOVER;,19525,EMS: BACK PAINS/INJURY,2015-12-10 17:40:00,NEW HANOVER,REINDEER CT,1",
    "40.12,-75.35,HAWS AVE; NORRISTOWN;,19401,Fire: GAS-ODOR/LEAK,2015-12-10 17:40:00,NORRISTOWN,HAWS AVE,1",
    "40.12,-75.35,HAWS AVE; NORRISTOWN;,19401,Fire: GAS-ODOR/LEAK,2015-12-10 17:40:00,NORRISTOWN,HAWS AVE,1",
    ",,MAIN ST; ABINGTON;,,Traffic: VEHICLE ACCIDENT -,2016-03-13 02:30:00,ABINGTON,MAIN ST,1",
]


def _write(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _mapping(tmp_path, **changes) -> Path:
    mapping = {**json.loads((DATA / "cad_mapping_montco.json").read_text()), **changes}
    return _write(tmp_path, "mapping.json", json.dumps(mapping))


def test_an_export_without_an_id_column_imports_and_reimports_to_zero(tmp_path):
    export = _write(tmp_path, "911.csv", "\n".join([HEADER, *ROWS]) + "\n")
    mapping = DATA / "cad_mapping_montco.json"
    [run] = calls_import(paths=[export], mapping=mapping)
    assert (run.rows_read, run.rows_inserted, run.rows_rejected) == (4, 4, 0)  # identical rows stay two calls
    [again] = calls_import(paths=[export], mapping=mapping)
    assert (again.rows_inserted, again.rows_updated, again.rows_duplicate) == (0, 0, 4)
    assert Incident.objects.filter(source="montco_911").count() == 4
    fire = Incident.objects.filter(category="fire")
    assert sorted(key.rsplit(":", 1)[1] for key in fire.values_list("source_key", flat=True)) == ["1", "2"]
    medical = Incident.objects.get(category="medical")
    assert (medical.borough_id, medical.zip_code_id) == ("montco-twp:NEW HANOVER", "montco-zip:19525")
    assert medical.context.startswith("REINDEER CT")


def test_an_id_of_several_columns_joins_their_values(tmp_path):
    export = _write(tmp_path, "911.csv", "\n".join([HEADER, *ROWS]) + "\n")
    [run] = calls_import(paths=[export], mapping=_mapping(tmp_path, id=["timeStamp", "addr", "e"]))
    # rows 2 and 3 share time, address and e: one call and a duplicate
    assert (run.rows_inserted, run.rows_duplicate) == (3, 1)
    assert Incident.objects.filter(source_key="2015-12-10 17:40:00|HAWS AVE|1").exists()


def test_an_unknown_area_kind_lists_the_valid_kinds(tmp_path):
    mapping = _mapping(tmp_path, areas=[{"column": "twp", "kind": "township"}])
    export = _write(tmp_path, "911.csv", f"{HEADER}\n{ROWS[0]}\n")
    with pytest.raises(CommandError, match=r"unknown area kind 'township'.*valid kinds: district, borough, bcu"):
        call_command("import_calls", str(export), "--mapping", str(mapping))
    assert not ImportRun.objects.exists()


def test_a_mapping_without_an_id_key_says_what_is_expected(tmp_path):
    mapping = json.loads((DATA / "cad_mapping_montco.json").read_text())
    del mapping["id"]
    path = _write(tmp_path, "mapping.json", json.dumps(mapping))
    export = _write(tmp_path, "911.csv", f"{HEADER}\n{ROWS[0]}\n")
    with pytest.raises(CommandError, match=r"KeyError: 'id'.*null when the export has none"):
        call_command("import_calls", str(export), "--mapping", str(path))


def test_dry_run_prints_what_the_first_rows_become_and_writes_nothing(tmp_path, capsys):
    export = _write(tmp_path, "911.csv", "\n".join([HEADER, *ROWS]) + "\n")
    call_command("import_calls", str(export), "--mapping", str(DATA / "cad_mapping_montco.json"), "--dry-run", "4")
    out = capsys.readouterr().out
    assert "line 2: montco_911:row:" in out
    assert "2015-12-10T17:40:00-05:00 (UTC 2015-12-10 22:40)" in out  # local Eastern time
    assert "'EMS: BACK PAINS/INJURY' -> medical (Medical or ambulance)" in out
    assert "borough montco-twp:NEW HANOVER, zip_code montco-zip:19525" in out
    assert "line 5:" in out and "line 6:" not in out
    assert "nothing was written" in out
    assert not Incident.objects.exists() and not ImportRun.objects.exists()


def _real(name: str) -> Path:
    path = settings.SHARED_DATA_DIR / "real" / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    return path


@pytest.mark.slow
@pytest.mark.skipif(not settings.USING_POSTGRES, reason="78,000 rows twice: a PostgreSQL-sized import")
def test_real_montgomery_county_export_imports_and_reimports_to_zero():
    export = next(_real("montco-pa-911").glob("*.csv.gz"))
    [run] = calls_import(paths=[export], mapping=DATA / "cad_mapping_montco.json")
    assert (run.status, run.rows_read, run.rows_inserted, run.rows_rejected) == ("succeeded", 78_277, 78_277, 0)
    [again] = calls_import(paths=[export], mapping=DATA / "cad_mapping_montco.json")
    assert (again.rows_inserted, again.rows_updated, again.rows_duplicate) == (0, 0, 78_277)


@pytest.mark.slow
def test_real_milwaukee_export_imports_in_central_time_and_reimports_to_zero():
    export = _real("milwaukee-pd-cfs-2018-05") / "data.csv"
    [run] = calls_import(paths=[export], mapping=DATA / "cad_mapping_milwaukee.json")
    assert (run.status, run.rows_read, run.rows_inserted, run.rows_rejected) == ("succeeded", 33_968, 33_968, 0)
    first = Incident.objects.get(source="milwaukee_cfs", source_key="1211372")
    assert first.occurred_at.isoformat() == "2018-05-01T05:10:28+00:00"  # 00:10:28 Central daylight time
    [again] = calls_import(paths=[export], mapping=DATA / "cad_mapping_milwaukee.json")
    assert (again.rows_inserted, again.rows_updated) == (0, 0)
