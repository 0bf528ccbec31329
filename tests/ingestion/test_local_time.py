"""Every incident carries its source's zone and its local day, hour and weekday, derived once at import."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.utils import timezone

from ingestion.dispatch import dispatch_update_record
from ingestion.localtime import zone_of_sources
from ingestion.models import Incident
from ingestion.readers import InputError
from ingestion.services import calls_import, police_uk_archive_import

pytestmark = pytest.mark.django_db
BALTIMORE_HEADER = "recordId,callDateTime,priority,district,description,callNumber,incidentLocation,location\n"


def _baltimore_file(tmp_path, rows: dict[str, str]):
    """A short-layout Baltimore export: record id -> local wall time as the export prints it."""
    lines = [f'{key},{stamp},Medium,NORTHERN,AUTO ACCIDENT,P1,,"(39.3, -76.6)"\n' for key, stamp in rows.items()]
    path = tmp_path / "calls.csv"
    path.write_text(BALTIMORE_HEADER + "".join(lines))
    return path


def _local(key: str) -> tuple:
    incident = Incident.objects.get(source_key=key)
    return incident.time_zone, incident.local_date, incident.local_hour, incident.local_weekday


def test_baltimore_calls_keep_their_new_york_wall_time_across_both_dst_changes(tmp_path):
    path = _baltimore_file(
        tmp_path,
        {
            "before-spring": "03/12/2023 01:30:00 AM",  # EST, 06:30 UTC
            "after-spring": "03/12/2023 03:30:00 AM",  # EDT, 07:30 UTC: an hour later, not two
            "late-saturday": "03/11/2023 11:30:00 PM",  # 04:30 UTC on Sunday
            "fall-back": "11/05/2023 01:30:00 AM",
            "late-sunday": "11/05/2023 11:30:00 PM",  # EST, 04:30 UTC on Monday 6 November
        },
    )
    (run,) = calls_import(paths=[path])
    assert run.rows_inserted == 5
    new_york = "America/New_York"
    assert _local("before-spring") == (new_york, dt.date(2023, 3, 12), 1, 7)
    assert _local("after-spring") == (new_york, dt.date(2023, 3, 12), 3, 7)
    assert _local("late-saturday") == (new_york, dt.date(2023, 3, 11), 23, 6)
    assert _local("fall-back") == (new_york, dt.date(2023, 11, 5), 1, 7)
    assert _local("late-sunday") == (new_york, dt.date(2023, 11, 5), 23, 7)
    assert Incident.objects.get(source_key="late-sunday").occurred_at == dt.datetime(2023, 11, 6, 4, 30, tzinfo=dt.UTC)
    assert run.months_touched == ["2023-03", "2023-11"]
    (again,) = calls_import(paths=[path])
    assert (again.rows_inserted, again.rows_updated, again.rows_duplicate) == (0, 0, 5)


def test_a_call_late_on_the_last_local_day_of_a_month_names_that_month(tmp_path):
    # 23:30 on 31 May in New York is 03:30 UTC on 1 June
    (run,) = calls_import(paths=[_baltimore_file(tmp_path, {"may": "05/31/2023 11:30:00 PM"})])
    assert run.months_touched == ["2023-05"]
    assert _local("may")[1:] == (dt.date(2023, 5, 31), 23, 3)


def _mapping(tmp_path, **time) -> str:
    mapping = {"source": "force", "id": "id", "time": {"column": "t", "format": "%Y-%m-%d %H:%M", **time},
               "category": "what"}  # fmt: skip
    (tmp_path / "m.json").write_text(json.dumps(mapping))
    (tmp_path / "c.csv").write_text("id,t,what\nA,2018-05-01 03:30,BATTERY\n")
    return tmp_path / "m.json"


def test_a_cad_mapping_names_its_zone(tmp_path):
    calls_import(paths=[tmp_path / "c.csv"], mapping=_mapping(tmp_path, zone="America/Chicago"))
    incident = Incident.objects.get(source_key="A")
    assert incident.occurred_at == dt.datetime(2018, 5, 1, 8, 30, tzinfo=dt.UTC)
    assert _local("A") == ("America/Chicago", dt.date(2018, 5, 1), 3, 2)


@override_settings(TIME_ZONE="Europe/Dublin")
def test_a_cad_mapping_without_a_zone_is_read_in_the_sites_zone(tmp_path):
    calls_import(paths=[tmp_path / "c.csv"], mapping=_mapping(tmp_path))
    assert Incident.objects.get(source_key="A").occurred_at == dt.datetime(2018, 5, 1, 2, 30, tzinfo=dt.UTC)
    assert _local("A") == ("Europe/Dublin", dt.date(2018, 5, 1), 3, 2)


def test_police_uk_months_have_their_first_day_and_no_hour_stops_their_london_time(tmp_path):
    month = tmp_path / "2024-07"
    month.mkdir()
    (month / "2024-07-metropolitan-street.csv").write_text(
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
        "Last outcome category,Context\n"
        "abc,2024-07,Met,Met,-0.13,51.51,On or near Soho,E01004763,Westminster 013B,Burglary,,\n"
    )
    (month / "2024-07-metropolitan-stop-and-search.csv").write_text(
        "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,"
        "Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,"
        "Outcome linked to object of search,Removal of more than just outer clothing\n"
        # 23:30 UTC on Wednesday 31 July is 00:30 BST on Thursday 1 August
        "Person search,2024-07-31T23:30:00+00:00,,,51.51,-0.13,Male,18-24,,White,PACE,Stolen goods,"
        "Nothing found - no further action,,\n"
    )
    (run,) = police_uk_archive_import(paths=[tmp_path])
    assert _local("abc") == ("Europe/London", dt.date(2024, 7, 1), None, None)
    stop = Incident.objects.get(kind="stop")
    assert (stop.time_zone, stop.local_date, stop.local_hour, stop.local_weekday) == (
        "Europe/London", dt.date(2024, 8, 1), 0, 4,
    )  # fmt: skip
    assert run.months_touched == ["2024-07", "2024-08"]


@override_settings(TIME_ZONE="America/Chicago")
def test_a_dispatch_call_is_read_in_the_forces_zone():
    when = (timezone.now() - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
    update, _created = dispatch_update_record(data={"incident_id": "D-1", "updated_at": when, "status": "received"})
    local = when.astimezone(ZoneInfo("America/Chicago"))
    incident = update.incident
    assert (incident.time_zone, incident.local_date, incident.local_hour, incident.local_weekday) == (
        "America/Chicago", local.date(), local.hour, local.isoweekday(),
    )  # fmt: skip


def test_the_zone_of_sources_is_named_only_when_they_all_share_one(tmp_path):
    calls_import(paths=[_baltimore_file(tmp_path, {"1": "01/15/2024 10:00:00 AM"})])
    Incident.objects.create(source="london", source_key="a", kind="crime", category="burglary",
                            occurred_at=timezone.now(), time_zone="Europe/London")  # fmt: skip
    assert zone_of_sources(("baltimore_911",)) == "America/New_York"
    assert zone_of_sources(("baltimore_911", "london")) == ""  # two zones: no one set of local midnights
    assert zone_of_sources(("baltimore_911", "never-imported")) == ""  # a zone unknown
    assert zone_of_sources(()) == ""


def test_calls_in_another_zone_under_a_source_already_imported_are_refused_whole(tmp_path):
    calls_import(paths=[tmp_path / "c.csv"], mapping=_mapping(tmp_path, zone="America/Chicago"))
    (tmp_path / "london").mkdir()
    london, chicago = _mapping(tmp_path / "london", zone="Europe/London"), tmp_path / "m.json"
    (tmp_path / "c.csv").write_text("id,t,what\nB,2018-05-02 03:30,BATTERY\n")
    with pytest.raises(InputError, match="'force' already records in America/Chicago, these calls in Europe/London"):
        calls_import(paths=[tmp_path / "c.csv"], mapping=london)
    assert not Incident.objects.filter(source_key="B").exists()
    calls_import(paths=[tmp_path / "c.csv"], mapping=chicago)  # the same zone: imported
    assert Incident.objects.filter(source="force").count() == 2


@override_settings(TIME_ZONE="Europe/London")
def test_a_dispatch_call_takes_the_zone_its_source_records_in(tmp_path):
    mapping = _mapping(tmp_path, zone="America/Chicago")
    mapping.write_text(mapping.read_text().replace('"force"', '"cad"'))
    calls_import(paths=[tmp_path / "c.csv"], mapping=mapping)
    when = (timezone.now() - dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
    update, _created = dispatch_update_record(data={"incident_id": "D-2", "updated_at": when, "status": "received"})
    assert update.incident.time_zone == "America/Chicago"
    assert zone_of_sources(("cad",)) == "America/Chicago"
