"""Column names match in any case and spacing; a header that fits no layout names the nearest and what it lacks."""

import pytest
from django.core.management import CommandError, call_command

from ingestion.models import Incident
from ingestion.services import calls_import, police_uk_archive_import

pytestmark = pytest.mark.django_db

PORTAL_HEADER = (
    "RecordID,CallDateTime,Priority,District,Description,CallNumber,IncidentLocation,Location,ZipCode,Neighborhood,"
    "PoliceDistrict,PolicePost"
)
PORTAL_ROW = (
    '1,05/04/2016 09:58:00 PM,Medium,NORTHERN,AUTO ACCIDENT,P161,400 WINSTON AV,"400 WINSTON AV\nBALTIMORE, MD\n'
    '(39.349792, -76.61)",21218,Hampden,Northern,524'
)


def test_a_baltimore_portal_export_in_other_case_imports_with_its_areas(tmp_path):
    path = tmp_path / "portal.csv"
    path.write_text(f"{PORTAL_HEADER}\n{PORTAL_ROW}\n")
    [run] = calls_import(paths=[path])
    assert (run.status, run.rows_inserted) == ("succeeded", 1)
    call = Incident.objects.get()
    assert (call.source_key, call.category, call.priority) == ("1", "traffic-accident", "Medium")
    assert (call.borough_id, call.neighborhood_id, call.zip_code_id) == (
        "bal-district:NORTHERN",
        "bal-neighborhood:HAMPDEN",
        "bal-zip:21218",
    )


def test_a_police_uk_street_file_with_spaced_and_lower_case_names_imports(tmp_path):
    path = tmp_path / "2024-01-metropolitan-street.csv"
    header = "crime id, month ,Reported By,FALLS WITHIN,longitude,latitude,location,lsoa code,lsoa name,crime type,"
    path.write_text(
        f"{header}last outcome category,context\n"
        "a1,2024-01,Met,Metropolitan Police Service,-0.13,51.51,On or near X,E01004763,Westminster 013B,Burglary,,\n"
    )
    [run] = police_uk_archive_import(paths=[path])
    assert run.rows_inserted == 1
    assert Incident.objects.get().lsoa_id == "E01004763"


def test_a_header_fitting_no_layout_names_the_nearest_and_its_missing_columns(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("RecordID,CallDateTime,Priority,District,Description,CallNumber,Address\n1,x,y,z,w,v,u\n")
    with pytest.raises(CommandError) as raised:
        call_command("import_calls", str(path))
    message = str(raised.value)
    assert "odd.csv" in message
    assert "nearest is the Baltimore 911 short layout" in message
    assert "lacks column(s) incidentLocation, location" in message
    assert Incident.objects.count() == 0
