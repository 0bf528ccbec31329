"""data.police.uk archives: street, outcomes and stop-and-search files into Incidents, idempotently."""

import gzip
import json
import zipfile

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from ingestion.models import Area, ImportRun, Incident, RejectedRow
from ingestion.services import police_uk_archive_import

pytestmark = pytest.mark.django_db

STREET_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)
FORCE = "Metropolitan Police Service,Metropolitan Police Service"
STREET_ROWS = [
    f"aaa1,2024-01,{FORCE},-0.134,51.512,On or near Soho Square,E01004763,Westminster 013B,Burglary,"
    "Under investigation,",
    f"aaa1,2024-01,{FORCE},-0.134,51.512,On or near Soho Square,E01004763,Westminster 013B,Burglary,Suspect charged,",
    f"bbb2,2024-01,{FORCE},,,No Location,,,Violence and sexual offences,Unable to prosecute suspect,",
    f",2024-01,{FORCE},-0.127,51.507,On or near Strand,E01004734,Westminster 018A,Anti-social behaviour,,",
    f",2024-01,{FORCE},-0.127,51.507,On or near Strand,E01004734,Westminster 018A,Anti-social behaviour,,",
    f"ccc3,2024-01,{FORCE},0.0,0.0,On or near Nowhere,E01000907,Camden 001A,Drugs,Offender fined,",
]
OUTCOME_HEADER = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type"
OUTCOME_ROWS = [
    f"aaa1,2024-03,{FORCE},-0.134,51.512,On or near Soho Square,E01004763,Westminster 013B,Offender sent to prison",
    f"zzz9,2024-03,{FORCE},-0.134,51.512,On or near Soho Square,E01004763,Westminster 013B,Offender fined",
]
STOP_HEADER = (
    "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
    "Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
    "Outcome linked to object of search,Removal of more than just outer clothing"
)
STOP_ROW = (
    "Person search,2024-01-05T14:30:00+00:00,,,51.51,-0.13,Male,18-24,,White,"
    "Misuse of Drugs Act 1971 (section 23),Controlled drugs,Nothing found - no further action,,"
)


def _csv(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("2024-01/2024-01-metropolitan-street.csv", _csv(STREET_HEADER, STREET_ROWS))
        zf.writestr("2024-03/2024-03-metropolitan-outcomes.csv", _csv(OUTCOME_HEADER, OUTCOME_ROWS))
        zf.writestr("2024-01/2024-01-metropolitan-stop-and-search.csv", _csv(STOP_HEADER, [STOP_ROW, STOP_ROW]))
    return path


def test_archive_street_rows_become_crimes_and_asb_with_merged_outcomes(archive):
    runs = police_uk_archive_import(paths=[archive], max_error_rate=0.5)
    street = Incident.objects.filter(kind__in=["crime", "asb"])
    assert street.count() == 5  # aaa1 twice = one crime; two identical ASB rows stay two
    assert street.filter(kind="asb").count() == 2
    crime = Incident.objects.get(source="police_uk", source_key="aaa1")
    assert [e["category"] for e in crime.outcome_history] == [
        "Under investigation",
        "Suspect charged",
        "Offender sent to prison",
    ]
    assert crime.outcome == "Offender sent to prison"
    assert crime.borough_id == "E09000033" and crime.lsoa_id == "E01004763"
    assert crime.category == "burglary" and crime.origin == "public_report"
    assert runs[0].rows_read == 8 and runs[0].rows_inserted == 7 and runs[0].rows_duplicate == 1


def test_archive_categories_origins_locations_and_stops(archive):
    police_uk_archive_import(paths=[archive], max_error_rate=0.5)
    violence = Incident.objects.get(source_key="bbb2")
    assert violence.category == "violent-crime" and violence.latitude is None and violence.lsoa_id is None
    drugs = Incident.objects.get(source_key="ccc3")
    assert drugs.origin == "police_generated" and drugs.latitude is None  # (0, 0) dropped
    stops = Incident.objects.filter(kind="stop")
    assert stops.count() == 2
    assert {s.origin for s in stops} == {"police_generated"}
    assert stops.first().occurred_at.hour == 14
    assert Area.objects.get(code="E01004763").parent_id == "E09000033"
    assert Area.objects.get(code="E09000033").name == "Westminster"


def test_archive_outcome_of_unknown_crime_is_kept_as_rejected_row(archive):
    runs = police_uk_archive_import(paths=[archive], max_error_rate=0.5)
    outcomes = runs[1]
    assert outcomes.status == ImportRun.Status.SUCCEEDED
    assert (outcomes.rows_read, outcomes.rows_updated, outcomes.rows_rejected) == (2, 1, 1)
    assert RejectedRow.objects.get(run=outcomes).line_number == 3


def test_archive_reimport_inserts_nothing(archive):
    police_uk_archive_import(paths=[archive], max_error_rate=0.5)
    runs = police_uk_archive_import(paths=[archive], max_error_rate=0.5)
    assert sum(r.rows_inserted + r.rows_updated for r in runs) == 0
    assert Incident.objects.count() == 7


def test_folder_and_gzip_files_import_like_the_zip(tmp_path):
    month = tmp_path / "2024-01"
    month.mkdir()
    (month / "2024-01-metropolitan-street.csv").write_text(_csv(STREET_HEADER, STREET_ROWS[:3]))
    with gzip.open(tmp_path / "extra-street.csv.gz", "wt") as fh:
        fh.write(_csv(STREET_HEADER, STREET_ROWS[5:]))
    police_uk_archive_import(paths=[tmp_path], max_error_rate=0.5)
    assert set(Incident.objects.values_list("source_key", flat=True)) == {"aaa1", "bbb2", "ccc3"}


def test_command_prints_json_totals_last(archive, capsys):
    call_command("import_police_uk", str(archive), "--json", "--max-error-rate", "0.5")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["read"] == summary["inserted"] + summary["updated"] + summary["duplicates"] + summary["rejected"]
    assert summary["inserted"] == 7 and summary["rejected"] == 1


def test_wrong_file_type_and_missing_columns_name_the_file(tmp_path):
    picture = tmp_path / "photo.png"
    picture.write_bytes(b"\x89PNG\r\n")
    with pytest.raises(CommandError, match="photo.png"):
        call_command("import_police_uk", str(picture))
    partial = tmp_path / "2024-01-metropolitan-street.csv"
    partial.write_text("Crime ID,Month\nabc,2024-01\n")
    with pytest.raises(CommandError, match="missing column.*Crime type"):
        call_command("import_police_uk", str(partial))
    assert ImportRun.objects.count() == 0


@pytest.mark.slow
@pytest.mark.skipif(not settings.USING_POSTGRES, reason="the full sample is a PostgreSQL-sized import")
def test_real_archive_sample_gives_the_published_counts():
    sample = settings.SHARED_DATA_DIR / "police-uk-archive-sample.zip"
    if not sample.exists():
        pytest.skip(f"{sample} is not on this machine")
    police_uk_archive_import(paths=[sample])
    street = Incident.objects.filter(source="police_uk", kind__in=["crime", "asb"])
    assert street.count() == 162_455
    assert street.filter(kind="crime").values("source_key").distinct().count() == 162_399
    assert street.filter(kind="asb").count() == 56
    assert Incident.objects.filter(kind="stop").count() == 34_440
    again = police_uk_archive_import(paths=[sample])
    assert sum(run.rows_inserted for run in again) == 0
