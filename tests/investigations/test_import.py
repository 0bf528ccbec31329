"""`import_investigations`: the RMS export layout of docs/rms-export.md, bad rows rejected with line numbers,
teams and officers created, re-import without duplicates, and the demo export read through it."""

import csv
from datetime import timedelta

import pytest
from django.core.management import call_command

from accounts.models import OrgUnit, User
from ingestion.models import ImportRun
from investigations.demo import investigations_csv_write
from investigations.importer import COLUMNS, investigations_import
from investigations.models import Action, CustodyEvent, Investigation, SupervisorReview, Victim

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


def test_import_creates_records_units_and_inactive_officers(tmp_path, org):
    run = investigations_import(path=_write(tmp_path / "rms.csv", ROWS))
    assert run.status == ImportRun.Status.SUCCEEDED and run.source == "rms"
    case = Investigation.objects.get(crime_reference="WE/2025/000001")
    assert case.team.code == "westminster-cid-team-9" and case.team.parent.parent == org["westminster"]
    officer = User.objects.get(username="pc123")
    assert (officer.is_active, officer.has_usable_password(), officer.unit) == (False, False, case.team)
    assert Victim.objects.get(investigation=case).statement_received_on.isoformat() == "2025-06-03"
    assert SupervisorReview.objects.filter(investigation=case).count() == 1
    assert case.actions.filter(state="open").exists()


def test_bad_rows_are_rejected_with_line_numbers_and_reasons(tmp_path, org):
    run = investigations_import(path=_write(tmp_path / "rms.csv", ROWS))
    rejected = {row.line_number: row.reason for row in run.rejected_rows.all()}
    assert set(rejected) == {7, 9, 10}
    assert "needs an inspector or above" in rejected[7]
    assert "teleport" in rejected[9] and "event_date" in rejected[10]
    assert run.rows_read == 9 == run.rows_inserted + run.rows_updated + run.rows_duplicate + run.rows_rejected
    assert not CustodyEvent.objects.filter(kind="bail_extension").exists()


def test_reimport_adds_nothing(tmp_path, org):
    path = _write(tmp_path / "rms.csv", ROWS)
    investigations_import(path=path)
    counts = (CustodyEvent.objects.count(), Action.objects.count(), OrgUnit.objects.count(), User.objects.count())
    second = investigations_import(path=path)
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
    assert run.status == ImportRun.Status.FAILED and "lacks the columns" in run.error


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
