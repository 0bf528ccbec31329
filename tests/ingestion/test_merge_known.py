"""Merges keep what is known: rows of one key (a repeated Crime ID, a re-import) never lose a location, an LSOA, a
category or an outcome to a blank; the latest known value wins and disagreements are counted."""

import csv
import zipfile
from datetime import UTC, datetime

import pytest
from django.conf import settings

from ingestion.loader import IncidentRecord, incident_import
from ingestion.models import ImportRun, Incident
from ingestion.services import police_uk_archive_import

pytestmark = pytest.mark.django_db

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)
FORCE = "Avon and Somerset Constabulary,Avon and Somerset Constabulary"
LOCATED = f"k1,2021-01,{FORCE},-2.59,51.45,On or near Park Street,E01014540,Bristol 032B,Burglary,Under investigation,"
BLANK = f"k1,2021-01,{FORCE},,,No Location,,,Burglary,Investigation complete; no suspect identified,"
OTHER = f"k2,2021-01,{FORCE},-2.60,51.46,On or near Deanery Road,E01014485,Bristol 055A,Robbery,,"


def _import_month(tmp_path, rows: list[str], name: str = "2021-01-avon-and-somerset-street.csv") -> ImportRun:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    [run] = police_uk_archive_import(paths=[path])
    run.refresh_from_db()
    return run


def _assert_located(incident: Incident) -> None:
    assert (incident.latitude, incident.longitude) == (51.45, -2.59)
    assert incident.h3_cell
    assert incident.location_text == "On or near Park Street"
    assert incident.lsoa_id == "E01014540"
    assert incident.borough_id == "puk-borough:bristol"


@pytest.mark.parametrize("rows", [[LOCATED, BLANK, OTHER], [BLANK, LOCATED, OTHER]], ids=["located-first", "last"])
def test_a_repeated_crime_id_keeps_its_location_wherever_the_located_row_is(tmp_path, rows):
    run = _import_month(tmp_path, rows)
    assert (run.rows_read, run.rows_inserted, run.rows_duplicate) == (3, 2, 1)
    incident = Incident.objects.get(source_key="k1")
    _assert_located(incident)
    assert len(incident.outcome_history) == 2  # both outcome lines kept
    assert run.stats["disagreements"] == 0  # a blank is not a disagreement


def test_a_reimport_of_a_blank_row_over_a_located_crime_keeps_the_location_and_changes_nothing(tmp_path):
    _import_month(tmp_path, [LOCATED, OTHER])
    again = _import_month(
        tmp_path, [BLANK.replace("Investigation complete; no suspect identified", "Under investigation")]
    )
    assert (again.rows_inserted, again.rows_updated, again.rows_duplicate) == (0, 0, 1)
    _assert_located(Incident.objects.get(source_key="k1"))


def test_a_reimport_with_a_new_known_value_updates_it(tmp_path):
    _import_month(tmp_path, [BLANK, OTHER])
    assert Incident.objects.get(source_key="k1").latitude is None
    again = _import_month(tmp_path, [LOCATED])
    assert again.rows_updated == 1
    _assert_located(Incident.objects.get(source_key="k1"))


def test_rows_that_disagree_keep_the_latest_known_value_and_are_counted(tmp_path):
    moved = LOCATED.replace("-2.59,51.45,On or near Park Street", "-2.61,51.47,On or near Queen Square")
    run = _import_month(tmp_path, [LOCATED, BLANK, moved, OTHER, OTHER])
    incident = Incident.objects.get(source_key="k1")
    assert (incident.latitude, incident.longitude, incident.location_text) == (51.47, -2.61, "On or near Queen Square")
    assert run.stats["disagreements"] == 1  # k1 disagrees; k2's identical rows do not


def _call(key: str, **values) -> IncidentRecord:
    base = {"source": "cad_test", "source_key": key, "kind": "call", "category": "other", "time_precision": "minute",
            "occurred_at": datetime(2024, 3, 1, 12, tzinfo=UTC)}  # fmt: skip
    return IncidentRecord(**{**base, **values})


def test_a_blank_description_or_area_never_replaces_a_known_one():
    located = {"latitude": 43.04, "longitude": -87.9, "post_id": "p1", "borough_id": "d1"}
    rows = [
        _call("c1", category="burglary", raw_category="BURGLARY", outcome="Filed", **located),
        _call("c1", category="other", raw_category="", status="Closed"),
    ]
    run = incident_import(source="cad_test", target="memory", rows=rows)
    incident = Incident.objects.get(source_key="c1")
    assert (incident.category, incident.raw_category, incident.outcome) == ("burglary", "BURGLARY", "Filed")
    assert (incident.post_id, incident.borough_id, incident.latitude) == ("p1", "d1", 43.04)
    assert incident.status == "Closed"  # not a merged column: the latest row's value
    assert run.stats["disagreements"] == 0


def _shared(name: str):
    path = settings.SHARED_DATA_DIR / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    return path


def _ids_with_coordinates(paths) -> set[str]:
    located = set()
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            located |= {row["Crime ID"] for row in csv.DictReader(handle) if row["Crime ID"] and row["Latitude"]}
    return located


@pytest.mark.slow
def test_real_avon_and_suffolk_month_loses_no_known_location():
    folder = _shared("real/policeuk-avon-suffolk-2021-01")
    located = _ids_with_coordinates(sorted(folder.glob("*-street.csv")))
    runs = police_uk_archive_import(paths=[folder])
    assert all(run.status == ImportRun.Status.SUCCEEDED for run in runs)
    lost = Incident.objects.filter(source_key__in=located, latitude__isnull=True)
    assert list(lost.values_list("source_key", flat=True)[:5]) == []
    assert Incident.objects.filter(source_key__in=located).count() == len(located)


@pytest.mark.slow
@pytest.mark.skipif(not settings.USING_POSTGRES, reason="the full sample is a PostgreSQL-sized import")
def test_real_met_archive_sample_loses_no_known_location(tmp_path):
    sample = _shared("police-uk-archive-sample.zip")
    with zipfile.ZipFile(sample) as archive:
        streets = [name for name in archive.namelist() if name.endswith("-street.csv")]
        archive.extractall(tmp_path, members=streets)
    located = _ids_with_coordinates(tmp_path / name for name in streets)
    police_uk_archive_import(paths=[sample])
    assert not Incident.objects.filter(source_key__in=located, latitude__isnull=True).exists()
