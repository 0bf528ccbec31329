"""With REDIS_URL set, a task sent through the real broker is run by a real Celery worker process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import AuditEvent
from crimedash.celery import app
from tests.accounts.audit_age import audit_age

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker")


@pytest.fixture
def worker(transactional_db):
    app.conf.task_always_eager = False  # tests/conftest.py runs tasks in-process; this one goes through Redis
    env = dict(os.environ, DATABASE_URL=_test_database_url(), CELERY_TASK_ALWAYS_EAGER="0")
    command = [sys.executable, "-m", "celery", "-A", "crimedash", "worker", "--pool", "solo", "--loglevel", "WARNING"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    yield process
    app.conf.task_always_eager = True
    process.terminate()
    process.wait(timeout=30)


def _test_database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="the worker process needs a shared database server")
def test_a_worker_runs_the_audit_purge_sent_through_redis(worker):
    old = AuditEvent.objects.create(username="someone", action="login")
    audit_age(pk=old.pk, days=400)
    recent = AuditEvent.objects.create(username="someone", action="logout")
    result = app.send_task("accounts.tasks.purge_audit", kwargs={"days": 365})
    assert result.get(timeout=90) == 1
    assert list(AuditEvent.objects.exclude(action="purge").values_list("pk", flat=True)) == [recent.pk]
