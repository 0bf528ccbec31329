"""The apps meet where DESIGN.md says: ingestion announces a finished import and analytics listens; beat names only
tasks a worker knows."""

import ast
from pathlib import Path

import pytest

from analytics.models import MonthlyCount, RefreshRun
from crimedash.celery import app
from crimedash.schedule import BEAT_SCHEDULE
from ingestion.services import calls_import
from ingestion.signals import import_finished

ROOT = Path(__file__).resolve().parent.parent
HEADER = "recordId,callDateTime,priority,district,description,callNumber,incidentLocation,location\n"


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    unknown = {name: entry["task"] for name, entry in BEAT_SCHEDULE.items() if entry["task"] not in app.tasks}
    assert BEAT_SCHEDULE and not unknown, unknown


@pytest.mark.django_db
def test_an_import_announces_itself_and_analytics_refreshes_what_it_touched(
    tmp_path, django_capture_on_commit_callbacks
):
    heard = []
    import_finished.connect(
        lambda sender, run, **kwargs: heard.append(run.pk), dispatch_uid="test-listener", weak=False
    )
    try:
        path = tmp_path / "calls.csv"
        path.write_text(HEADER + '1,05/04/2016 09:58:00 PM,Medium,NORTHERN,AUTO ACCIDENT,P1,,"(39.3, -76.6)"\n')
        with django_capture_on_commit_callbacks(execute=True):
            [run] = calls_import(paths=[path])
    finally:
        import_finished.disconnect(dispatch_uid="test-listener")
    assert heard == [run.pk]
    assert run.rows_inserted == 1 and RefreshRun.objects.filter(run_id=run.pk).count() == 1
    assert MonthlyCount.objects.filter(source=run.source, kind="call", month="2016-05-01").exists()


def _imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    names |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return {name.split(".")[0] for name in names}


def test_ingestion_imports_nothing_of_the_apps_that_listen_to_it():
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports_of(path) & {"analytics", "investigations", "dashboards"})
        for path in (ROOT / "ingestion").rglob("*.py")
        if "migrations" not in path.parts
    }
    assert not {path: apps for path, apps in offenders.items() if apps}
