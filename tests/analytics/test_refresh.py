"""The incremental refresh after an import gives exactly what a full rebuild gives."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics.models import DailyCount, HourWeekdayCount, MonthlyCount, OutcomeCount, RefreshRun
from analytics.refresh import analytics_refresh, slice_for_run
from analytics.tasks import refresh_analytics
from crimedash.caching import generation
from ingestion.loader import IncidentRecord, incident_import
from ingestion.models import ImportRun, Incident
from tests.analytics.factories import CAMDEN, LSOA_C1, WESTMINSTER, incidents, local

pytestmark = pytest.mark.django_db
MODELS = (MonthlyCount, HourWeekdayCount, DailyCount, OutcomeCount)


def _snapshot() -> dict:
    return {
        model.__name__: sorted(
            tuple(row) for row in model.objects.values_list(*[f.name for f in model._meta.fields if f.name != "id"])
        )
        for model in MODELS
    }


def _import(**fields) -> ImportRun:
    """An import run that added two months of Camden incidents and updated one Westminster incident."""
    run = ImportRun.objects.create(source="police_uk", target="test", months_touched=["2024-02", "2024-03"])
    incidents(4, occurred_at=local(2024, 2, 10, 9), time_precision="minute", borough_id=CAMDEN, lsoa_id=LSOA_C1,
              import_run=run, **fields)  # fmt: skip
    incidents(3, occurred_at=local(2024, 3, 1), borough_id=CAMDEN, lsoa_id=LSOA_C1, import_run=run, outcome="Court")
    Incident.objects.filter(borough_id=WESTMINSTER, occurred_at=local(2024, 3, 1)).update(
        category="robbery", import_run=run
    )
    run.areas_touched = [CAMDEN, LSOA_C1, WESTMINSTER, "met"]
    run.save()
    return run


def _history():
    for month in (1, 2, 3):
        incidents(5, occurred_at=local(2024, month, 1))
        incidents(2, occurred_at=local(2024, month, 5, 18), time_precision="minute", borough_id=CAMDEN,
                  lsoa_id=LSOA_C1)  # fmt: skip


def test_incremental_refresh_equals_full_refresh_after_an_import():
    _history()
    analytics_refresh(full=True)
    run = _import()
    analytics_refresh(run_id=run.pk)
    incremental = _snapshot()
    analytics_refresh(full=True)
    assert incremental == _snapshot()
    assert sum(MonthlyCount.objects.filter(level="force").values_list("count", flat=True)) == 15 + 6 + 7


def test_incremental_refresh_touches_only_the_runs_months_and_boroughs():
    _history()
    analytics_refresh(full=True)
    MonthlyCount.objects.filter(month="2024-01-01").update(count=999)  # a marker a rebuild of January would erase
    run = _import()
    where = slice_for_run(run=run)
    assert where.months == ("2024-02", "2024-03")
    assert set(where.boroughs) == {CAMDEN, WESTMINSTER}
    refresh = analytics_refresh(run_id=run.pk)
    assert refresh.full is False and refresh.months == ["2024-02", "2024-03"]
    assert set(MonthlyCount.objects.filter(month="2024-01-01").values_list("count", flat=True)) == {999}


def test_a_record_late_on_the_last_utc_day_touches_its_local_month():
    # 23:30 UTC on 31 May is 00:30 on 1 June in London: the run touches June, whose rollups hold the call.
    late = dt.datetime(2024, 5, 31, 23, 30, tzinfo=dt.UTC)
    record = IncidentRecord(
        "cad", "late", "call", "disorder", late, "minute", borough_id=CAMDEN, time_zone="Europe/London"
    )
    run = incident_import(source="cad", target="test", rows=[record])
    assert run.months_touched == ["2024-06"] and slice_for_run(run=run).months == ("2024-06",)
    analytics_refresh(run_id=run.pk)
    assert list(DailyCount.objects.filter(level="force").values_list("month", "day")) == [
        (dt.date(2024, 6, 1), dt.date(2024, 6, 1))
    ]


def test_refresh_bumps_the_cache_generation(fresh_generation):
    analytics_refresh(full=True)
    assert generation() == fresh_generation + 1


def test_refresh_command_prints_a_json_summary():
    _history()
    out = StringIO()
    call_command("refresh_analytics", "--full", "--json", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["full"] is True
    assert summary["rows"]["MonthlyCount"] > 0


def test_refresh_task_runs_incrementally_for_a_run():
    _history()
    analytics_refresh(full=True)
    run = _import()
    result = refresh_analytics(run_id=run.pk)
    assert RefreshRun.objects.get(pk=result["refresh_id"]).months == ["2024-02", "2024-03"]


def test_without_a_run_the_refresh_catches_up_on_imports_finished_since_the_last_one():
    _history()
    analytics_refresh(full=True)
    run = _import()
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.SUCCEEDED, finished_at=timezone.now())
    refresh = analytics_refresh()
    assert refresh.full is False and refresh.months == ["2024-02", "2024-03"]
    assert analytics_refresh().rows == {}  # nothing new since


def test_the_first_refresh_is_a_full_one():
    _history()
    assert analytics_refresh().full is True
