"""kill -9 in the middle of an import leaves nothing partial; the next run marks it failed and completes the file."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ingestion.demo.calls import calls_csv_write
from ingestion.models import ImportRun, Incident
from ingestion.services import calls_import

ROOT = Path(__file__).resolve().parents[2]
ROWS = 60_000


def _child_env() -> dict:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": "memory://", "CELERY_TASK_ALWAYS_EAGER": "0"}


def _wait_for_copy(timeout: float = 120) -> bool:
    """True once the child's COPY into staging has streamed some rows (so the kill lands mid-import)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy")
            if cursor.fetchone()[0] > ROWS // 4:
                return True
            time.sleep(0.05)
    return False


@pytest.mark.slow
@pytest.mark.skipif(not settings.USING_POSTGRES, reason="kills a separate process sharing the PostgreSQL database")
def test_kill_during_import_then_rerun_equals_a_clean_import(transactional_db, tmp_path):
    path = tmp_path / "calls.csv"
    calls_csv_write(path=path, rows=ROWS)
    command = [sys.executable, str(ROOT / "manage.py"), "import_calls", str(path), "--json", "--skip-checks"]
    child = subprocess.Popen(command, cwd=ROOT, env=_child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for_copy(), "the import never started copying"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    assert Incident.objects.count() == 0
    assert ImportRun.objects.get().status == ImportRun.Status.RUNNING  # its process is dead

    (run,) = calls_import(paths=[path])
    assert ImportRun.objects.exclude(pk=run.pk).get().status == ImportRun.Status.FAILED
    assert (run.rows_inserted, Incident.objects.count()) == (ROWS, ROWS)
