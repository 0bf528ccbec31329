"""`import_investigations`: the RMS export layout of docs/rms-export.md, bad rows rejected with line numbers,
teams and officers created, re-import without duplicates, and the demo export read through it."""

import csv
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from accounts.models import OrgUnit, User
from ingestion.models import ImportRun
from investigations import importer
from investigations.demo import investigations_csv_write
from investigations.importer import COLUMNS, investigations_import
from investigations.models import Action, CustodyEvent, Investigation, SupervisorReview, Victim
from investigations.services import actions_compute

pytestmark = pytest.mark.django_db
BASE = {
    "crime_reference": "WE/2025/000001", "offence": "common_assault", "offence_class": "summary",
    "domestic_abuse": "yes", "offence_date": "2025-06-01", "reported_at": "2025-06-01T10:00",
    "recorded_at": "2025-06-01T12:00", "status": "open", "allocated_date": "2025-06-02",
    "bcu_code": "westminster", "bcu_name": "Westminster", "department_code": "westminster-cid",
    "department_name": "Westminster CID", "team_code": "westminster-cid-team-9", "team_name": "Team 9",
    "officer_id": "pc123", "officer_name": "Pat Cole", "officer_rank": "constable",
}  # fmt: skip


def _write(path, rows: list[dict]):
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows([{**dict.fromkeys(COLUMNS, ""), **BASE, **row} for row in rows])
    return path


ROWS = [
    {"event": ""},
    {"event": "victim", "person_ref": "V1", "person_name": "Val", "enhanced_rights": "yes"},
    {"event": "statement", "event_date": "2025-06-03", "person_ref": "V1"},
    {"event": "arrest", "event_date": "2025-06-04", "person_ref": "S1", "person_name": "Sid"},
    {"event": "bail_start", "event_date": "2025-06-05", "person_ref": "S1"},
    {"event": "bail_extension", "event_date": "2025-08-20", "person_ref": "S1", "authorising_rank": "sergeant"},
    {"event": "review", "event_date": "2025-06-09"},
    {"event": "teleport", "event_date": "2025-06-09"},
    {"event": "arrest", "event_date": "not a date", "person_ref": "S1"},
]


LENIENT = 0.5  # ROWS holds 3 bad rows of 9, above the default ceiling


def test_import_creates_records_units_and_inactive_officers(tmp_path, org):
    run = investigations_import(path=_write(tmp_path / "rms.csv", ROWS), max_error_rate=LENIENT)
    assert run.status == ImportRun.Status.SUCCEEDED and run.source == "rms"
    case = Investigation.objects.get(crime_reference="WE/2025/000001")
    assert case.team.code == "westminster-cid-team-9" and case.team.parent.parent == org["westminster"]
    officer = User.objects.get(username="pc123")
    assert (officer.is_active, officer.has_usable_password(), officer.unit) == (False, False, case.team)
    assert Victim.objects.get(investigation=case).statement_received_on.isoformat() == "2025-06-03"
    assert SupervisorReview.objects.filter(investigation=case).count() == 1
    assert case.actions.filter(state="open").exists()


def test_bad_rows_are_rejected_with_line_numbers_and_reasons(tmp_path, org):
    run = investigations_import(path=_write(tmp_path / "rms.csv", ROWS), max_error_rate=LENIENT)
    rejected = {row.line_number: row.reason for row in run.rejected_rows.all()}
    assert set(rejected) == {7, 9, 10}
    assert "needs an inspector or above" in rejected[7]
    assert "teleport" in rejected[9] and "event_date" in rejected[10]
    assert run.rows_read == 9 == run.rows_inserted + run.rows_updated + run.rows_duplicate + run.rows_rejected
    assert not CustodyEvent.objects.filter(kind="bail_extension").exists()


def test_reimport_adds_nothing(tmp_path, org):
    path = _write(tmp_path / "rms.csv", ROWS)
    investigations_import(path=path, max_error_rate=LENIENT)
    counts = (CustodyEvent.objects.count(), Action.objects.count(), OrgUnit.objects.count(), User.objects.count())
    second = investigations_import(path=path, max_error_rate=LENIENT)
    assert (second.rows_inserted, second.rows_duplicate) == (0, 3)
    assert counts == (
        CustodyEvent.objects.count(),
        Action.objects.count(),
        OrgUnit.objects.count(),
        User.objects.count(),
    )


def test_a_file_without_the_documented_columns_fails_the_run(tmp_path, db):
    path = tmp_path / "rms.csv"
    path.write_text("crime_reference,offence\nX,theft\n")
    run = investigations_import(path=path)
    assert run.status == ImportRun.Status.FAILED and "missing column(s) offence_class" in run.error


def test_existing_accounts_are_not_changed_by_the_export(tmp_path, org, role_users):
    investigations_import(path=_write(tmp_path / "rms.csv", [{"event": "", "officer_id": "officer"}]))
    officer = User.objects.get(username="officer")
    assert officer.is_active and officer.unit == org["westminster-team-a"]


def test_demo_export_imports_cleanly_and_fills_every_flag(tmp_path, org, role_users, today):
    written = investigations_csv_write(path=tmp_path, open_count=150, today=today)
    call_command("import_investigations", str(tmp_path))
    run = ImportRun.objects.get()
    assert run.rows_read == written and run.rows_rejected == 0
    assert Investigation.objects.filter(status="open").count() == 150
    assert Investigation.objects.filter(officer__username__in=["officer", "supervisor"]).exists()
    open_actions = Action.objects.filter(state="open")
    assert open_actions.filter(due_on__lt=today).exists()
    assert open_actions.filter(due_on__gt=today, due_on__lte=today + timedelta(days=7)).exists()
    assert {"review", "bail", "rui", "time_limit"} <= set(open_actions.values_list("kind", flat=True))


def test_a_90_percent_bad_file_fails_and_keeps_nothing(tmp_path, org):
    """The loader's error-rate ceiling (INGEST_MAX_ERROR_RATE, 5 %): 9 bad rows of 10 keep nothing."""
    units = OrgUnit.objects.count()
    rows = [{"event": ""}] + [{"event": "arrest", "event_date": "soon", "person_ref": "S1"}] * 9
    run = investigations_import(path=_write(tmp_path / "rms.csv", rows))
    assert run.status == ImportRun.Status.FAILED and "9 of 10 rows rejected" in run.error
    assert (run.rows_inserted, run.rows_updated, run.rows_rejected) == (0, 0, 9)
    assert not Investigation.objects.exists() and OrgUnit.objects.count() == units
    assert not User.objects.filter(username="pc123").exists()
    assert run.rejected_rows.count() == 9  # kept for diagnosis


def test_the_ceiling_is_checked_as_rows_stream(tmp_path, org, monkeypatch):
    """Past EARLY_CHECK_ROWS the running rate stops the import without reading the rest."""
    monkeypatch.setattr(importer, "EARLY_CHECK_ROWS", 20)
    rows = [{"event": "teleport", "crime_reference": f"WE/{n}"} for n in range(50)] + [{"event": ""}] * 50
    run = investigations_import(path=_write(tmp_path / "rms.csv", rows))
    assert run.status == ImportRun.Status.FAILED and "in the first 20 rows" in run.error
    assert run.rows_read == 20 and not Investigation.objects.exists()


def test_chunks_stream_and_links_to_later_crimes_are_made(tmp_path, org, monkeypatch):
    """Rows are written in chunks; a link to a crime further down the file is made once it exists."""
    monkeypatch.setattr(importer, "CHUNK", 2)
    rows = [
        {"crime_reference": "WE/A", "linked_crimes": "WE/C"},
        {"crime_reference": "WE/B"},
        {"crime_reference": "WE/C"},
        {"crime_reference": "WE/C", "event": "review", "event_date": "2025-06-09"},
    ]
    run = investigations_import(path=_write(tmp_path / "rms.csv", rows))
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.stats["investigations_created"] == 3
    a = Investigation.objects.get(crime_reference="WE/A")
    assert list(a.linked_crimes.values_list("crime_reference", flat=True)) == ["WE/C"]
    assert list(Investigation.objects.get(crime_reference="WE/C").linked_crimes.all()) == [a]
    assert (run.rows_inserted, run.rows_updated, run.rows_duplicate) == (1, 3, 0)


S46A_ROWS = [
    {"event": "arrest", "event_date": "2022-10-20", "person_ref": "S1"},
    {"event": "bail_start", "event_date": "2022-10-21", "person_ref": "S1"},
    {"event": "bail_extension", "event_date": "2022-11-10", "person_ref": "S1", "authorising_rank": "superintendent"},
    {"event": "failed_to_surrender", "event_date": "2022-12-01", "person_ref": "S1"},
    {"event": "arrest", "event_date": "2022-12-02", "person_ref": "S1", "s46a_rearrest": "yes"},
    {"event": "bail_start", "event_date": "2022-12-03", "person_ref": "S1"},
    # the original clock: 3 months to 20 Jan 2023 (2017 regime), so an inspector may not extend in January
    {"event": "bail_extension", "event_date": "2023-01-10", "person_ref": "S1", "authorising_rank": "inspector"},
]


def test_an_s46a_column_keeps_the_original_arrests_clock(tmp_path, org):
    path = tmp_path / "rms.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, "s46a_rearrest"])
        writer.writeheader()
        writer.writerows([{**dict.fromkeys(COLUMNS, ""), **BASE, **row} for row in S46A_ROWS])
    run = investigations_import(path=path, max_error_rate=LENIENT)
    assert CustodyEvent.objects.get(kind="arrest", occurred_on="2022-12-02").s46a_rearrest
    (reason,) = run.rejected_rows.values_list("reason", flat=True)
    assert "magistrates' court (PACE s47ZF(4) (2017))" in reason


@pytest.mark.parametrize(
    ("local", "utc", "due"),
    [
        ("2025-07-01T00:30", datetime(2025, 6, 30, 23, 30, tzinfo=UTC), date(2025, 7, 2)),
        ("2025-10-26T00:30", datetime(2025, 10, 25, 23, 30, tzinfo=UTC), date(2025, 10, 26)),
        ("2025-03-30T00:30", datetime(2025, 3, 30, 0, 30, tzinfo=UTC), date(2025, 3, 31)),
        ("2025-06-30T23:30Z", datetime(2025, 6, 30, 23, 30, tzinfo=UTC), date(2025, 7, 2)),
    ],
)
def test_report_times_are_the_forces_local_time(tmp_path, org, settings, local, utc, due):
    """docs/rms-export.md: reported_at is local wall-clock time; the recording deadline's day is local too."""
    settings.TIME_ZONE = "Europe/London"
    row = {"event": "", "reported_at": local, "recorded_at": "", "offence_date": local[:10]}
    investigations_import(path=_write(tmp_path / "rms.csv", [row]), recompute=False)
    case = Investigation.objects.get()
    assert case.reported_at == utc
    actions_compute(today=utc.date(), investigation_ids=[case.pk])
    assert case.actions.get(kind="cdi").due_on == due
