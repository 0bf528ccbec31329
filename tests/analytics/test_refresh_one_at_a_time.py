"""Refreshes never count an incident twice: one runs at a time, each rollup is unique on its grain, and a full refresh
replaces month by month what the incidents hold now."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from analytics.models import (
    CalendarEffect,
    CorrelationResult,
    H3MonthTotal,
    H3YearTotal,
    MonthlyCount,
    RefreshRun,
    SeasonalDecomposition,
    StrategicMetric,
)
from analytics.refresh import ROLLUP_MODELS, YEARLY_MODELS, analytics_refresh
from analytics.rollups import MODELS, YEARLY, Slice, months_present
from ingestion.models import ImportRun, Incident
from tests.analytics.factories import CAMDEN, LSOA_C1, incidents, local, london_areas


def _snapshot() -> dict:
    return {
        model.__name__: sorted(
            tuple(row) for row in model.objects.values_list(*[f.name for f in model._meta.fields if f.name != "id"])
        )
        for model in ROLLUP_MODELS
    }


def _history() -> None:
    london_areas()
    for month in (1, 2, 3):
        incidents(5, occurred_at=local(2024, month, 1))
        received = local(2024, month, 5, 18)
        times = {
            name: received + dt.timedelta(minutes=minutes)
            for name, minutes in (("dispatched_at", 2), ("on_scene_at", 11), ("cleared_at", 40))
        }
        incidents(3, occurred_at=received, time_precision="minute", kind="call", source="cad", borough_id=CAMDEN,
                  lsoa_id=LSOA_C1, priority="High", **times)  # fmt: skip


def _import() -> ImportRun:
    run = ImportRun.objects.create(source="police_uk", target="test", months_touched=["2024-03", "2024-04"],
                                   areas_touched=[CAMDEN])  # fmt: skip
    for month in (3, 4):
        incidents(4, occurred_at=local(2024, month, 1), borough_id=CAMDEN, lsoa_id=LSOA_C1, import_run=run)
    return run


def _together(call, times: int = 2) -> list[BaseException]:
    """Run `call` in `times` threads released at once, each on its own database connection; their errors."""
    start, errors = threading.Barrier(times), []

    def run():
        try:
            start.wait()
            call()
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="threads on their own connections need a database server")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("refresh", ["full", "after an import"])
def test_two_refreshes_started_together_leave_the_counts_one_leaves(refresh):
    _history()
    analytics_refresh(full=True)
    run = _import()
    kwargs = {"full": True} if refresh == "full" else {"run_id": run.pk}
    assert _together(lambda: analytics_refresh(**kwargs)) == []
    together = _snapshot()
    analytics_refresh(full=True)
    assert together == _snapshot()
    assert sum(MonthlyCount.objects.filter(level="force").values_list("count", flat=True)) == 24 + 8
    assert RefreshRun.objects.count() == 4


def _lanes_recorded(monkeypatch) -> list[tuple]:
    """(lane's first table, its connection's backend pid, its number of tables) of each lane a refresh writes, as it
    writes it."""
    from analytics import refresh

    seen, rebuild = [], refresh.rollups_rebuild

    def recorded(*, where, models):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            seen.append((models[0].__name__, cursor.fetchone()[0], len(models)))
        return rebuild(where=where, models=models)

    monkeypatch.setattr(refresh, "rollups_rebuild", recorded)
    return seen


def _own_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="lanes on their own connections need a database server")
@pytest.mark.django_db(transaction=True)
def test_an_incremental_refresh_writes_its_two_lanes_side_by_side_and_leaves_what_a_full_one_leaves(monkeypatch):
    _history()
    analytics_refresh(full=True)
    run = _import()
    seen = _lanes_recorded(monkeypatch)
    analytics_refresh(run_id=run.pk)
    assert sorted(name for name, _pid, _tables in seen) == ["HourWeekdayCount", "HourWeekdayCount", "MonthlyCount",
                                                   "MonthlyCount"]  # two months, two lanes each  # fmt: skip
    pids = {pid for _name, pid, _tables in seen}
    assert len(pids) >= 2 and _own_pid() not in pids  # each lane on a connection of its own
    incremental = _snapshot()
    seen.clear()
    analytics_refresh(full=True)
    assert {pid for _name, pid, _tables in seen} == {_own_pid()}  # a full refresh writes here, serially,
    # every table of a month from one copy (the yearly sums after the last month of each year only), once per month
    months = [part.months[0] for part in Slice().by_month()]
    last_of_year = [month == max(m for m in months if m[:4] == month[:4]) for month in months]
    assert [tables for _name, _pid, tables in seen] == [len(MODELS) - (0 if last else len(YEARLY))
                                                        for last in last_of_year]  # fmt: skip
    assert _snapshot() == incremental


@pytest.mark.django_db
def test_a_rollup_row_of_an_existing_grain_is_refused():
    _history()
    analytics_refresh(full=True)
    row = MonthlyCount.objects.filter(level="force").values().first()
    row.pop("id")
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyCount.objects.create(**row)


@pytest.mark.django_db
def test_a_full_refresh_drops_the_months_whose_incidents_are_gone():
    _history()
    analytics_refresh(full=True)
    Incident.objects.filter(occurred_at__lt=local(2024, 2, 1)).delete()
    analytics_refresh(full=True)
    for model in (model for model in ROLLUP_MODELS if model not in YEARLY_MODELS):
        assert not model.objects.filter(month=dt.date(2024, 1, 1)).exists(), model.__name__
    assert MonthlyCount.objects.filter(month=dt.date(2024, 2, 1)).exists()
    # 2024's yearly rows hold the months left (February and March), not January's gone ones
    months_left = H3MonthTotal.objects.filter(month__year=2024).aggregate(total=Sum("count"))["total"]
    year = H3YearTotal.objects.filter(month=dt.date(2024, 1, 1)).aggregate(total=Sum("count"))["total"]
    assert year == months_left > 0
    Incident.objects.all().delete()
    analytics_refresh(full=True)
    assert not any(model.objects.exists() for model in ROLLUP_MODELS)


@pytest.mark.django_db
def test_months_present_are_those_with_incidents_and_their_neighbours_however_long_the_gap():
    incidents(1, occurred_at=local(1999, 6, 15))
    incidents(2, occurred_at=local(2024, 1, 1))  # midnight in London on 1 January is still 2024-01 in UTC
    assert months_present() == ["1999-05", "1999-06", "1999-07", "2023-12", "2024-01", "2024-02"]


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="lanes on their own connections need a database server")
@pytest.mark.django_db(transaction=True)
def test_the_results_are_derived_in_two_lanes_that_store_what_one_after_the_other_stores(monkeypatch):
    """Decompositions in one lane; calendar effects, correlations and metrics in the other, each committed on a
    connection of its own. Stored, they equal what the same refresh run serially (a test transaction) stores."""
    from analytics import refresh

    _history()
    analytics_refresh(full=True)
    lanes, run_in_transaction = [], refresh._in_refresh_transaction

    def recorded(task):
        if task.func is not refresh._lane_rebuild:  # the rollups' lanes go through here too
            lanes.append(_own_pid())
        return run_in_transaction(task)

    monkeypatch.setattr(refresh, "_in_refresh_transaction", recorded)
    analytics_refresh(run_id=_import().pk)
    assert len(set(lanes)) == 2 and _own_pid() not in lanes
    side_by_side_results = _results()
    with transaction.atomic():  # inside a transaction the lanes run one after the other on this connection
        analytics_refresh(full=True)
    assert lanes[2:] == [_own_pid(), _own_pid()]
    assert _results() == side_by_side_results
    assert {name for name, rows in side_by_side_results.items() if rows} >= {"CalendarEffect", "StrategicMetric"}


def _results() -> dict:
    models = (SeasonalDecomposition, CalendarEffect, CorrelationResult, StrategicMetric)
    skipped = {"id", "computed_at", "updated_at", "created_at"}
    columns = {model: [field.name for field in model._meta.fields if field.name not in skipped] for model in models}
    return {model.__name__: sorted(repr(row) for row in model.objects.values_list(*columns[model])) for model in models}
