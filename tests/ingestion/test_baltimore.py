"""Baltimore 911 calls in all three layouts, messy rows mixed in: exact counts and correct Baltimore local times."""

import csv
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from ingestion.models import Area, ImportRun, Incident, RejectedRow
from ingestion.services import calls_import

pytestmark = pytest.mark.django_db
BALTIMORE = ZoneInfo("America/New_York")

LAYOUT_COLUMNS = {
    "short": [],
    "portal": ["ZipCode", "Neighborhood", "PoliceDistrict", "PolicePost", "2010 Census Neighborhoods"],
    "arcgis": ["callKey", "Neighborhood", "PoliceDistrict", "PolicePost", "ZIPCode", "IsDeleted", "ESRI_OID"],
}
BASE = ["recordId", "callDateTime", "priority", "district", "description", "callNumber", "incidentLocation", "location"]
# (local wall time as the short/portal exports print it, the same instant as the ArcGIS export prints it in UTC)
WHEN = ("05/04/2016 09:58:00 PM", "2016/05/05 01:58:00+00")


def _row(layout: str, record_id: str, *, when=WHEN, location="(39.3, -76.6)", description="AUTO ACCIDENT", **kw):
    stamp = when[1] if layout == "arcgis" else when[0]
    values = [record_id, stamp, kw.get("priority", "Medium"), "NORTHERN", description, "P161", "", location]
    extra = {"ZipCode": "21218", "ZIPCode": "21218", "Neighborhood": "Hampden", "PoliceDistrict": "Northern",
             "PolicePost": "524", "callKey": "k" + record_id, "IsDeleted": "False", "ESRI_OID": record_id}  # fmt: skip
    return values + [extra.get(column, "") for column in LAYOUT_COLUMNS[layout]]


def _messy_file(tmp_path, layout: str):
    """10 data rows: 5 good, 1 duplicate, 4 rejected (ragged, missing id, impossible date, future date)."""
    good = [
        _row(
            layout,
            "1",
            location="400 WINSTON AV\nBALTIMORE, MD\n(39.349792, -76.61)",
            description="911/NO  VOICE",
            priority="Non-Emergency",
        ),  # fmt: skip
        _row(layout, "2", description="*PROTECTIVE ORD", priority="Out of Service"),
        _row(
            layout,
            "1",
            location="400 WINSTON AV\nBALTIMORE, MD\n(39.349792, -76.61)",
            description="911/NO  VOICE",
            priority="Non-Emergency",
        ),  # fmt: skip
        ["3", "oops"],
        _row(layout, ""),
        _row(layout, "5", when=("02/30/2016 01:00:00 AM", "2016/02/30 06:00:00+00")),
        _row(layout, "6", when=("01/01/2099 01:00:00 AM", "2099/01/01 06:00:00+00")),
        _row(layout, "7", location="(0, 0)"),
        _row(layout, "8", location="1200 N CHARLES ST"),
    ]
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\r\n")
    writer.writerow(BASE + LAYOUT_COLUMNS[layout])
    writer.writerows(good)
    cp1252_line = io.StringIO()
    csv.writer(cp1252_line, lineterminator="\r\n").writerow(_row(layout, "9", description="CAFÉ DISTURBANCE"))
    path = tmp_path / f"calls-{layout}.csv"
    path.write_bytes(b"\xef\xbb\xbf" + body.getvalue().encode("utf-8") + cp1252_line.getvalue().encode("cp1252"))
    return path


@pytest.mark.parametrize("layout", ["short", "portal", "arcgis"])
def test_messy_file_imports_with_exact_counts(tmp_path, layout):
    (run,) = calls_import(paths=[_messy_file(tmp_path, layout)], max_error_rate=0.5)
    assert run.status == ImportRun.Status.SUCCEEDED
    totals = (run.rows_read, run.rows_inserted, run.rows_updated, run.rows_duplicate, run.rows_rejected)
    assert totals == (10, 5, 0, 1, 4)
    assert run.coordinates_dropped == 1
    reasons = dict(RejectedRow.objects.filter(run=run).values_list("line_number", "reason"))
    # header is line 1; the first and third rows each span 3 lines (multi-line location)
    assert reasons[9].startswith("ragged row")
    assert reasons[10] == "missing id"
    assert reasons[11].startswith("impossible date")
    assert reasons[12].startswith("date in the future")


@pytest.mark.parametrize("layout", ["short", "portal", "arcgis"])
def test_times_read_in_baltimore_local_time(tmp_path, layout):
    calls_import(paths=[_messy_file(tmp_path, layout)], max_error_rate=0.5)
    local = Incident.objects.get(source="baltimore_911", source_key="1").occurred_at.astimezone(BALTIMORE)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2016, 5, 4, 21, 58)


def test_fields_areas_categories_and_encodings(tmp_path):
    calls_import(paths=[_messy_file(tmp_path, "arcgis")], max_error_rate=0.5)
    first = Incident.objects.get(source_key="1")
    assert (first.kind, first.category, first.priority, first.origin) == ("call", "911-hang-up", "Non-Emergency",
                                                                          "public_report")  # fmt: skip
    assert (first.latitude, first.longitude, first.location_text) == (39.349792, -76.61, "400 WINSTON AV")
    assert first.borough_id == "bal-district:NORTHERN" and first.zip_code_id == "bal-zip:21218"
    assert first.post_id == "bal-post:524" and first.neighborhood_id == "bal-neighborhood:HAMPDEN"
    assert Incident.objects.get(source_key="2").category == "protective-order"
    assert Incident.objects.get(source_key="2").priority == "Out of Service"
    assert Incident.objects.get(source_key="8").latitude is None
    assert Incident.objects.get(source_key="8").location_text == "1200 N CHARLES ST"
    assert Incident.objects.get(source_key="9").raw_category == "CAFÉ DISTURBANCE"
    assert Area.objects.get(code="bal-neighborhood:HAMPDEN").parent_id == "bal-district:NORTHERN"


def test_reimport_inserts_nothing_and_json_is_the_last_line(tmp_path, capsys):
    path = _messy_file(tmp_path, "portal")
    call_command("import_calls", str(path), "--max-error-rate", "0.5", "--json")
    call_command("import_calls", str(path), "--max-error-rate", "0.5", "--json")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (summary["inserted"], summary["duplicates"], summary["rejected"]) == (0, 6, 4)
    assert Incident.objects.count() == 5


def test_above_the_default_error_rate_nothing_is_kept(tmp_path):
    with pytest.raises(CommandError, match="above the allowed"):
        call_command("import_calls", str(_messy_file(tmp_path, "short")))
    assert Incident.objects.count() == 0


def test_unknown_layout_and_missing_columns_name_the_file(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="other.csv: unknown calls layout"):
        call_command("import_calls", str(other))
    with pytest.raises(CommandError, match="missing column.*ESRI_OID"):
        call_command("import_calls", str(_messy_file(tmp_path, "short")), "--layout", "arcgis")
