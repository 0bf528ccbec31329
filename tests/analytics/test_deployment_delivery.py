"""An accepted plan posted to the dispatch endpoint: signed, retried on connection errors and 5xx, every attempt
audited, nothing sent without a URL; the CAD-facing API shows the plan and its delivery status."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from analytics.deployment import delivery
from analytics.deployment.pilot import deployment_plan_accept_pilot
from analytics.deployment.plans import deployment_plan_propose
from analytics.models import DeploymentPlan
from tests.analytics.factories import WESTMINSTER
from tests.analytics.pilot_data import pilot_calls

pytestmark = pytest.mark.django_db
SECRET = "test-secret-for-signing"


class FakeDispatch:
    """A local HTTP endpoint answering each POST with the next code of `codes` (the last one repeats)."""

    def __init__(self, codes: list[int]):
        self.codes, self.received = list(codes), []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.received.append((dict(self.headers), body))
                code = fake.codes.pop(0) if len(fake.codes) > 1 else fake.codes[0]
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/plans"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def _eager_retries():
    """Eager tasks that propagate errors hand Celery's Retry to the caller instead of running the next attempt:
    here the retries run in process, one after another (no backoff wait), as a worker would run them."""
    from crimedash.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.fixture
def endpoint(settings):
    def start(codes):
        fake = FakeDispatch(codes)
        settings.DISPATCH_PLAN_URL, settings.DISPATCH_PLAN_SECRET = fake.url, SECRET
        started.append(fake)
        return fake

    started = []
    yield start
    for fake in started:
        fake.close()


@pytest.fixture
def plan():
    pilot_calls(start=dt.date(2024, 3, 4), weeks_before=3, weeks_after=0)
    return deployment_plan_propose(borough_code=WESTMINSTER, units={"early": 2, "late": 3, "night": 2})


def _attempts(plan):
    return AuditEvent.objects.filter(action="dispatch", target=f"deployment_plan:{plan.pk}").order_by("pk")


def test_accepting_posts_the_plan_signed_after_retrying_server_errors(
    plan, role_users, endpoint, django_capture_on_commit_callbacks
):
    fake = endpoint([503, 502, 200])
    with django_capture_on_commit_callbacks(execute=True):
        deployment_plan_accept_pilot(
            plan=plan, user=role_users["commander"], pilot_areas=["post-1"], pilot_start=dt.date(2024, 3, 4)
        )
    plan.refresh_from_db()
    assert plan.dispatch_status == "delivered" and plan.dispatch_attempts == 3
    assert [event.outcome for event in _attempts(plan)] == ["failed", "failed", "success"]
    headers, body = fake.received[-1]
    assert delivery.signature_valid(
        secret=SECRET,
        timestamp=headers[delivery.TIMESTAMP_HEADER],
        body=body,
        signature=headers[delivery.SIGNATURE_HEADER],
    )
    assert not delivery.signature_valid(
        secret="another", timestamp=headers[delivery.TIMESTAMP_HEADER], body=body,
        signature=headers[delivery.SIGNATURE_HEADER],
    )  # fmt: skip
    sent = json.loads(body)
    assert sent["plan_id"] == plan.pk and sent["applies_to"] == ["post-1"] and sent["pilot"]["start"] == "2024-03-04"
    assert sum(site["units"] for site in sent["staging_sites"]["late"]) == 3
    assert sent["units"] == plan.allocation


def test_a_tampered_or_stale_body_fails_the_signature():
    body = b'{"plan_id": 1}'
    signature = delivery.sign(secret=SECRET, timestamp=1_000_000, body=body)
    assert delivery.signature_valid(secret=SECRET, timestamp="1000000", body=body, signature=signature, now=1_000_100)
    assert not delivery.signature_valid(
        secret=SECRET, timestamp="1000000", body=b'{"plan_id": 2}', signature=signature, now=1_000_100
    )
    assert not delivery.signature_valid(secret=SECRET, timestamp="1000000", body=body, signature=signature, now=2e6)


def test_an_endpoint_that_stays_down_is_tried_six_times_then_recorded_failed(plan, endpoint):
    endpoint([500])
    assert delivery.deployment_plan_send.delay(plan.pk).get() == "failed"
    plan.refresh_from_db()
    assert plan.dispatch_attempts == delivery.MAX_RETRIES + 1
    assert [event.outcome for event in _attempts(plan)] == ["failed"] * (delivery.MAX_RETRIES + 1)


def test_a_refused_post_is_not_retried(plan, endpoint):
    fake = endpoint([400])
    assert delivery.deployment_plan_send.delay(plan.pk).get() == "failed"
    assert len(fake.received) == 1 and _attempts(plan).count() == 1


def test_a_connection_error_is_retried(plan, endpoint, settings):
    fake = endpoint([200])
    url = fake.url
    fake.close()  # nothing listens: connection refused on every attempt
    settings.DISPATCH_PLAN_URL = url
    assert delivery.deployment_plan_send.delay(plan.pk).get() == "failed"
    assert _attempts(plan).count() == delivery.MAX_RETRIES + 1


def test_nothing_is_sent_without_a_configured_endpoint(plan, settings):
    settings.DISPATCH_PLAN_URL = ""
    assert delivery.deployment_plan_send.delay(plan.pk).get() == "not_configured"
    assert not _attempts(plan).exists()


def test_the_dispatch_api_gives_the_accepted_plan_and_its_delivery(plan, role_users, client_for, endpoint):
    endpoint([200])
    deployment_plan_accept_pilot(plan=plan, user=role_users["commander"])
    delivery.deployment_plan_send.delay(plan.pk).get()
    rows = client_for("commander").get(reverse("dispatch-plan-list")).json()["results"]
    assert [row["id"] for row in rows] == [plan.pk]
    assert rows[0]["dispatch_status"] == "delivered"
    assert rows[0]["plan"]["units"] == plan.allocation and set(rows[0]["plan"]["staging_sites"]) == set(plan.shifts)


@pytest.mark.parametrize("role", ["executive", "supervisor", "officer"])
def test_roles_without_the_tactical_view_cannot_read_dispatch_plans(client_for, role):
    assert client_for(role).get(reverse("dispatch-plan-list")).status_code == 403


def test_a_commander_of_another_bcu_does_not_see_the_plan(plan, role_users, client, org):
    from tests.factories import UserFactory

    deployment_plan_accept_pilot(plan=plan, user=role_users["commander"])
    camden = UserFactory(username="camden-commander", role="commander", unit=org["camden"])
    client.force_login(camden)
    assert client.get(reverse("dispatch-plan-list")).json()["results"] == []
    assert client.get(reverse("dispatch-plan-detail", kwargs={"pk": plan.pk})).status_code == 404
    assert DeploymentPlan.objects.get(pk=plan.pk).state == "accepted"


def test_the_api_accept_records_the_pilot_and_refuses_an_area_outside_the_plan(plan, client_for):
    client = client_for("commander")
    url = reverse("deployment-plan-accept", kwargs={"pk": plan.pk})
    assert client.post(url, {"pilot_areas": ["elsewhere"]}, content_type="application/json").status_code == 409
    response = client.post(
        url, {"pilot_areas": ["post-3"], "pilot_start": "2024-03-11"}, content_type="application/json"
    )
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.state == "accepted" and plan.pilot_areas == ["post-3"] and str(plan.pilot_start) == "2024-03-11"
