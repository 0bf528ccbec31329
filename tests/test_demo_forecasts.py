"""`make demo` serves its pages before the forecasting chain: serve_demo.sh hands the chain to the worker once, and
import_demo_data runs it in line unless told to leave it to the worker."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from analytics.models import DeploymentPlan
from demo import forecasts
from demo.tasks import demo_forecasts

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(demo_forecasts, "delay", lambda: calls.append("sent"))
    return calls


def test_enqueue_sends_the_chain_to_the_worker_until_it_has_run(sent):
    call_command("demo_forecasts", "--enqueue", stdout=StringIO())
    assert sent == ["sent"]

    DeploymentPlan.objects.create(
        borough_code="E09000033",
        state=DeploymentPlan.State.ACCEPTED,
        pilot_start=dt.date(2026, 10, 1),
        shifts=[],
        areas=[],
        demand={},
        units_available={},
        max_imbalance=1.0,
        allocation={},
    )
    out = StringIO()
    call_command("demo_forecasts", "--enqueue", stdout=out)
    assert sent == ["sent"] and "already run" in out.getvalue()


def test_the_task_runs_the_chain(monkeypatch):
    monkeypatch.setattr(forecasts, "run_backtests", lambda: {"hotspots": 1})
    monkeypatch.setattr(forecasts, "demo_pilot_create", lambda: None)
    assert demo_forecasts() == {"forecasts": {"hotspots": 1}, "pilot_plan": None}


def test_import_demo_data_leaves_the_chain_to_the_worker_when_asked(tmp_path, monkeypatch):
    from demo.management.commands import import_demo_data

    ran = []
    (tmp_path / "police-uk.zip").write_bytes(b"")
    monkeypatch.setattr(import_demo_data, "demo_steps", lambda folder: [])
    monkeypatch.setattr(import_demo_data, "demo_forecasts_run", lambda: ran.append("chain"))
    call_command("import_demo_data", "--dir", str(tmp_path), "--forecasts-in-worker", stdout=StringIO())
    assert ran == []
    call_command("import_demo_data", "--dir", str(tmp_path), stdout=StringIO())
    assert ran == ["chain"]
