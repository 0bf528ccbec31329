"""Hour, weekday, day and month rollups are each source's local ones: a US city's night is night in its own hours."""

import csv
import datetime as dt
import json
from collections import Counter

import pandas as pd
import pytest
from django.conf import settings
from django.db.models import Sum

from analytics.deployment.plans import shift_demand
from analytics.forecasting.demand import demand_frame
from analytics.models import CalendarEffect, DailyCount, HourWeekdayCount, MonthlyCount
from analytics.refresh import analytics_refresh
from ingestion.services import calls_import

pytestmark = pytest.mark.django_db
BALTIMORE_HEADER = "recordId,callDateTime,priority,district,description,callNumber,incidentLocation,location\n"
MILWAUKEE = settings.SHARED_DATA_DIR / "real" / "milwaukee-pd-cfs-2018-05" / "data.csv"


def _baltimore(tmp_path, rows: dict[str, str]):
    lines = [f'{key},{stamp},Medium,NORTHERN,AUTO ACCIDENT,P1,,"(39.3, -76.6)"\n' for key, stamp in rows.items()]
    path = tmp_path / "baltimore.csv"
    path.write_text(BALTIMORE_HEADER + "".join(lines))
    return calls_import(paths=[path])[0]


def _cad(tmp_path, csv_text: str, **mapping):
    (tmp_path / "mapping.json").write_text(json.dumps(mapping))
    (tmp_path / "cad.csv").write_text(csv_text)
    return calls_import(paths=[tmp_path / "cad.csv"], mapping=tmp_path / "mapping.json")[0]


def _cells(model, *keys, **where) -> dict:
    rows = model.objects.filter(level="force", **where).values(*keys).annotate(n=Sum("count")).order_by()
    return {tuple(row[key] for key in keys): row["n"] for row in rows}


def test_baltimore_calls_either_side_of_the_dst_changes_land_in_their_local_cells_and_days(tmp_path):
    _baltimore(
        tmp_path,
        {
            "1": "03/11/2023 11:30:00 PM",  # Saturday 23:30 EST = Sunday 04:30 UTC
            "2": "03/12/2023 01:30:00 AM",  # Sunday 01:30 EST
            "3": "03/12/2023 03:30:00 AM",  # Sunday 03:30 EDT, one hour after the last
            "4": "11/05/2023 01:30:00 AM",  # Sunday, in the repeated hour
            "5": "11/05/2023 11:30:00 PM",  # Sunday 23:30 EST = Monday 04:30 UTC
        },
    )
    analytics_refresh(full=True)
    assert _cells(HourWeekdayCount, "weekday", "hour") == {(6, 23): 1, (7, 1): 2, (7, 3): 1, (7, 23): 1}
    assert _cells(DailyCount, "day") == {
        (dt.date(2023, 3, 11),): 1,
        (dt.date(2023, 3, 12),): 2,
        (dt.date(2023, 11, 5),): 2,
    }
    assert _cells(MonthlyCount, "month") == {(dt.date(2023, 3, 1),): 3, (dt.date(2023, 11, 1),): 2}


def test_a_london_source_and_a_us_source_on_one_site_each_keep_their_own_hours(tmp_path):
    # Both at 12:00 UTC on Saturday 1 July 2023: 08:00 in Baltimore (EDT), 13:00 in London (BST).
    _baltimore(tmp_path, {"us": "2023/07/01 12:00:00+00"})
    analytics_refresh(full=True)
    run = _cad(
        tmp_path,
        "id,when,what\nuk,2023-07-01T12:00:00+00:00,ASSAULT\nuk-late,2023-07-31T23:30:00+00:00,ASSAULT\n",
        source="london",
        id="id",
        time={"column": "when", "format": "iso", "zone": "Europe/London"},
        category="what",
    )
    assert run.months_touched == ["2023-07", "2023-08"]  # 23:30 UTC on 31 July is 1 August in London
    analytics_refresh(run_id=run.pk)  # the incremental refresh of the London months
    assert _cells(HourWeekdayCount, "source", "weekday", "hour") == {
        ("baltimore_911", 6, 8): 1,
        ("london", 6, 13): 1,
        ("london", 2, 0): 1,
    }
    assert _cells(DailyCount, "source", "day") == {
        ("baltimore_911", dt.date(2023, 7, 1)): 1,
        ("london", dt.date(2023, 7, 1)): 1,
        ("london", dt.date(2023, 8, 1)): 1,
    }


@pytest.mark.skipif(not MILWAUKEE.exists(), reason="real data not at hand (CRIMEDASH_SHARED_DATA)")
def test_a_real_us_city_export_is_quietest_in_its_own_early_morning(tmp_path):
    """Milwaukee's calls (Central time) through a CAD mapping naming America/Chicago: the night lull is at 03-07
    local (read in London time it sat at 09-13), and each local day holds exactly the calls the export dates to it."""
    mapping = {
        "source": "milwaukee",
        "id": "id",
        "time": {"column": "time", "format": "%Y-%m-%d %H:%M:%S", "zone": "America/Chicago"},
        "category": "nature",
        "status": "status",
        "location": "location",
        "latitude": "latitude",
        "longitude": "longitude",
        "areas": [{"column": "district", "kind": "district", "prefix": "mke-district"}],
    }
    (tmp_path / "mapping.json").write_text(json.dumps(mapping))
    (run,) = calls_import(paths=[MILWAUKEE], mapping=tmp_path / "mapping.json")
    assert run.rows_inserted == run.rows_read
    analytics_refresh(full=True)
    by_hour = Counter()
    for (hour,), count in _cells(HourWeekdayCount, "hour").items():
        by_hour[hour] += count
    quietest = sorted(by_hour, key=by_hour.get)[:4]
    assert set(quietest) <= {3, 4, 5, 6, 7} and quietest[0] == 5
    with open(MILWAUKEE, newline="") as handle:
        exported = Counter(dt.date.fromisoformat(row["time"][:10]) for row in csv.DictReader(handle))
    assert {day: count for (day,), count in _cells(DailyCount, "day").items()} == exported


def test_deployment_shifts_are_the_sources_own_hours(tmp_path):
    # 14:00 in Baltimore is the early shift there (07-15), although it is 19:00 in London (the late shift)
    _baltimore(tmp_path, {"afternoon": "07/03/2023 02:00:00 PM"})
    table = shift_demand(borough_code="bal-district:NORTHERN")
    assert table.loc["unknown"].to_dict() == {"early": 1.0, "late": 0.0, "night": 0.0}


def test_demand_series_count_each_call_on_its_local_day(tmp_path):
    # 23:30 on Sunday 5 November in Baltimore is 04:30 UTC on the 6th: the daily series puts it on the 5th
    _baltimore(tmp_path, {"late": "11/05/2023 11:30:00 PM"})
    assert demand_frame()["occurred_at"].tolist() == [pd.Timestamp("2023-11-05 23:30")]


def test_calendar_effects_of_a_us_source_use_us_holidays(tmp_path):
    # Monday to Friday around Independence Day 2018 (a Wednesday), one call a day, in a CAD export naming Chicago
    days = "".join(f"c{day},2018-07-0{day} 10:00,BATTERY,1\n" for day in range(2, 7))
    _cad(
        tmp_path,
        "id,when,what,district\n" + days,
        source="chicago",
        id="id",
        time={"column": "when", "format": "%Y-%m-%d %H:%M", "zone": "America/Chicago"},
        category="what",
        areas=[{"column": "district", "kind": "district", "prefix": "chi-district"}],
    )
    analytics_refresh(full=True)
    holiday = CalendarEffect.objects.get(area_code="chi-district:1", effect=CalendarEffect.Effect.HOLIDAY)
    assert (holiday.days_on, holiday.days_off) == (1, 4)
