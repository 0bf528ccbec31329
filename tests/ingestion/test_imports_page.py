"""The analyst's /imports/ page: upload, task, status JSON, rejected rows as CSV, audit, permissions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from crimedash.celery import app
from ingestion.models import ImportRun, ImportUpload, Incident, RejectedRow

STREET = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context\n"
    "aa01,2024-01,Metropolitan Police Service,Metropolitan Police Service,-0.131874,51.513678,On or near Frith Street,"
    "E01004763,Westminster 018C,Burglary,Under investigation,\n"
    "aa02,2024-01,Metropolitan Police Service,Metropolitan Police Service,-0.093211,51.515512,On or near Cheapside,"
    "E01000005,City of London 001E,Robbery,Under investigation,\n"
)


@pytest.fixture(autouse=True)
def _eager_tasks():
    """The import task runs in-process, as it does with no broker configured."""
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def upload(client, name="2024-01-metropolitan-street.csv", content=STREET, importer="police_uk"):
    file = SimpleUploadedFile(name, content.encode(), content_type="text/csv")
    return client.post(reverse("ingestion:imports"), {"importer": importer, "file": file})


def test_analyst_uploads_a_police_uk_csv_and_it_is_imported(client_for, django_capture_on_commit_callbacks):
    client = client_for("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client)
    assert response.status_code == 302
    done = ImportUpload.objects.get()
    assert done.status == "succeeded", done.error
    status = client.get(reverse("ingestion:upload-status", args=[done.pk])).json()
    assert status["runs"][0]["inserted"] == 2
    assert Incident.objects.filter(source="police_uk").count() == 2
    assert AuditEvent.objects.filter(action="import", username="analyst").exists()
    page = client.get(reverse("ingestion:imports"))
    assert b"2024-01-metropolitan-street.csv" in page.content


def test_wrong_file_type_is_refused_with_a_message(client_for):
    response = upload(client_for("analyst"), name="notes.txt")
    assert response.status_code == 200
    assert "expected a .zip, .csv or .csv.gz file" in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_rejected_rows_download_as_csv_and_are_audited(client_for):
    run = ImportRun.objects.create(source="police_uk", target="x.csv", rows_rejected=1)
    RejectedRow.objects.create(run=run, line_number=7, raw_text="bad,row", reason="missing id")
    response = client_for("analyst").get(reverse("ingestion:rejected-csv", args=[run.pk]))
    assert response["Content-Type"] == "text/csv"
    assert response.content.decode().splitlines()[1] == '7,missing id,"bad,row"'
    assert AuditEvent.objects.filter(action="export", target__contains=f"run {run.pk}").exists()


@pytest.mark.parametrize("role", ["executive", "commander", "supervisor", "officer"])
def test_roles_without_import_permission_cannot_upload(client_for, role):
    assert upload(client_for(role)).status_code == 403
    assert not ImportUpload.objects.exists()
