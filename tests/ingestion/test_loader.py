"""The loader: every row accounted for, idempotent re-imports, outcome histories merged, all-or-nothing runs."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from ingestion.loader import (
    AreaRecord,
    IncidentRecord,
    RowError,
    history_merge,
    incident_import,
    stale_runs_fail,
)
from ingestion.models import Area, ImportRun, Incident, RejectedRow

pytestmark = pytest.mark.django_db


def _record(key: str, **overrides) -> IncidentRecord:
    values = {
        "source": "test",
        "source_key": key,
        "kind": "crime",
        "category": "burglary",
        "occurred_at": datetime(2024, 3, 1, tzinfo=UTC),
        "time_precision": "month",
        "latitude": 51.5,
        "longitude": -0.12,
        "borough_id": "E09000033",
    }
    return IncidentRecord(**{**values, **overrides})


def _import(rows, **kwargs) -> ImportRun:
    run = incident_import(source="test", target="memory", rows=rows, **kwargs)
    run.refresh_from_db()
    return run


def _totals(run: ImportRun) -> tuple:
    return run.rows_read, run.rows_inserted, run.rows_updated, run.rows_duplicate, run.rows_rejected


def test_first_import_inserts_every_record_and_computes_h3():
    run = _import([_record("a"), _record("b"), _record("c", latitude=None, longitude=None)])
    assert run.status == ImportRun.Status.SUCCEEDED
    assert _totals(run) == (3, 3, 0, 0, 0)
    assert Incident.objects.get(source_key="a").h3_cell.startswith("89")
    assert Incident.objects.get(source_key="c").h3_cell == ""


def test_reimporting_the_same_rows_inserts_nothing():
    rows = [_record("a"), _record("b")]
    _import(rows)
    run = _import([_record("a"), _record("b")])
    assert _totals(run) == (2, 0, 0, 2, 0)
    assert Incident.objects.count() == 2


def test_changed_row_counts_as_update():
    _import([_record("a"), _record("b")])
    run = _import([_record("a", category="robbery"), _record("b")])
    assert _totals(run) == (2, 0, 1, 1, 0)
    assert Incident.objects.get(source_key="a").category == "robbery"


def test_repeated_key_in_one_file_is_one_incident_with_both_outcomes():
    first = _record("a", outcome_history=[{"date": "2024-03", "category": "Under investigation"}])
    second = _record("a", outcome_history=[{"date": "2024-03", "category": "Suspect charged"}])
    run = _import([first, second, _record("b")])
    assert _totals(run) == (3, 2, 0, 1, 0)
    incident = Incident.objects.get(source_key="a")
    assert [e["category"] for e in incident.outcome_history] == ["Under investigation", "Suspect charged"]
    assert incident.outcome == "Suspect charged"


def test_later_outcome_merges_into_history_instead_of_overwriting():
    _import([_record("a", outcome_history=[{"date": "2024-03", "category": "Under investigation"}])])
    run = _import([_record("a", outcome_history=[{"date": "2024-05", "category": "Offender fined"}])])
    assert run.rows_updated == 1
    incident = Incident.objects.get(source_key="a")
    assert incident.outcome_history == [
        {"date": "2024-03", "category": "Under investigation"},
        {"date": "2024-05", "category": "Offender fined"},
    ]
    assert incident.outcome == "Offender fined"
    again = _import([_record("a", outcome_history=[{"date": "2024-03", "category": "Under investigation"}])])
    assert _totals(again) == (1, 0, 0, 1, 0)
    assert Incident.objects.get(source_key="a").outcome == "Offender fined"


def test_row_errors_and_bad_records_are_rejected_with_line_numbers():
    future = timezone.now() + timedelta(days=30)
    rows = [_record(f"k{i}") for i in range(40)]
    rows += [RowError(7, "x,y", "ragged row"), _record("", line_number=9), _record("f", occurred_at=future)]
    run = _import(rows, max_error_rate=0.5)
    assert _totals(run) == (43, 40, 0, 0, 3)
    rejected = {r.line_number: r.reason for r in RejectedRow.objects.filter(run=run)}
    assert rejected[7] == "ragged row"
    assert rejected[9] == "missing id"
    assert any("future" in reason for reason in rejected.values())


def test_above_the_error_rate_the_run_fails_and_keeps_nothing():
    rows = [_record("a"), _record("b"), RowError(3, "bad", "ragged row")]
    run = _import(rows, max_error_rate=0.1)
    assert run.status == ImportRun.Status.FAILED
    assert "above the allowed" in run.error
    assert Incident.objects.count() == 0
    assert RejectedRow.objects.filter(run=run).count() == 1  # kept for diagnosis


def test_exception_in_the_stream_rolls_back_and_marks_the_run_failed():
    def rows():
        yield _record("a")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        incident_import(source="test", target="memory", rows=rows())
    assert Incident.objects.count() == 0
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED


def test_areas_are_created_with_parents_and_touched_areas_and_months_recorded():
    rows = [
        AreaRecord("E09000033", "Westminster", "borough"),
        AreaRecord("E01004736", "Westminster 018A", "lsoa", parent_code="E09000033"),
        _record("a", lsoa_id="E01004736"),
        _record("b", occurred_at=datetime(2024, 4, 2, tzinfo=UTC)),
    ]
    run = _import(rows)
    assert run.rows_read == 2
    assert Area.objects.get(code="E01004736").parent_id == "E09000033"
    assert run.months_touched == ["2024-03", "2024-04"]
    assert run.areas_touched == ["E01004736", "E09000033"]


def test_coordinates_dropped_and_other_categories_are_counted():
    rows = [_record("a", coordinates_dropped=True, latitude=None, longitude=None), _record("b", category="other")]
    run = _import(rows)
    assert run.coordinates_dropped == 1
    assert run.stats["category_other"] == 1


def test_a_run_whose_process_died_is_marked_failed():
    dead = ImportRun.objects.create(source="test", target="x", stats={"pid": 2**22 + 12345, "host": _hostname()})
    alive = ImportRun.objects.create(source="test", target="y", stats={"pid": 1, "host": "another-machine"})
    assert stale_runs_fail() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ImportRun.Status.FAILED
    assert alive.status == ImportRun.Status.RUNNING


def test_history_merge_keeps_first_occurrence_in_date_order():
    merged = history_merge(
        [{"date": "2024-05", "category": "B"}],
        [{"date": "2024-03", "category": "A"}, {"category": "B", "date": "2024-05"}],
    )
    assert merged == [{"date": "2024-03", "category": "A"}, {"date": "2024-05", "category": "B"}]


def _hostname() -> str:
    import socket

    return socket.gethostname()
