"""An accepted plan sent to the dispatch (CAD) system: POSTed as JSON to DISPATCH_PLAN_URL, signed, retried.

Signature: header X-Crimedash-Timestamp holds the Unix time of sending, X-Crimedash-Signature holds
"sha256=" + hex HMAC-SHA256 under DISPATCH_PLAN_SECRET of "<timestamp>." + the body's bytes, so a receiver checks
both the body and its freshness (`signature_valid` is the receiver's side). Connection errors and 5xx answers are
retried with exponential backoff (10 s, 20 s, 40 s ... up to 10 minutes, 6 attempts); a 4xx answer is final.
Every attempt is audited (action dispatch, target deployment_plan:<id>). Nothing is sent when the URL is unset.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from accounts.audit import audit_event
from accounts.models import AuditEvent
from analytics.models import DeploymentPlan

TIMESTAMP_HEADER, SIGNATURE_HEADER = "X-Crimedash-Timestamp", "X-Crimedash-Signature"
MAX_RETRIES = 5
SIGNATURE_TOLERANCE_SECONDS = 300
Status = DeploymentPlan.DispatchStatus


class DispatchServerError(Exception):
    """The endpoint answered 5xx: worth another try."""


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_valid(*, secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None) -> bool:
    """The receiver's check: the signature matches and the timestamp is within five minutes."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    fresh = abs((now if now is not None else time.time()) - stamp) <= SIGNATURE_TOLERANCE_SECONDS
    return fresh and hmac.compare_digest(sign(secret=secret, timestamp=stamp, body=body), signature)


def dispatch_payload(plan: DeploymentPlan) -> dict:
    """What a CAD needs: units per area per shift, staging sites with positions, which areas apply it from when."""
    option = plan.coverage_option or {}
    positions = option.get("positions", {})
    return {
        "plan_id": plan.pk,
        "borough_code": plan.borough_code,
        "state": plan.state,
        "accepted_at": plan.accepted_at.isoformat() if plan.accepted_at else None,
        "shifts": plan.shifts,
        "units": plan.allocation,
        "staging_sites": {
            shift: [
                {
                    "area": area,
                    "units": units,
                    "latitude": positions.get(area, [None, None])[0],
                    "longitude": positions.get(area, [None, None])[1],
                }
                for area, units in sites.items()
            ]
            for shift, sites in option.get("sites", {}).items()
        },  # fmt: skip
        "applies_to": plan.pilot_areas or plan.areas,
        "pilot": {"areas": plan.pilot_areas, "start": plan.pilot_start.isoformat() if plan.pilot_start else None},
        "target_minutes": option.get("parameters", {}).get("target_minutes"),
    }


def _post(body: bytes) -> int:
    timestamp = int(time.time())
    request = urllib.request.Request(
        settings.DISPATCH_PLAN_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret=settings.DISPATCH_PLAN_SECRET, timestamp=timestamp, body=body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.DISPATCH_PLAN_TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        if answer.code >= 500:
            raise DispatchServerError(f"HTTP {answer.code}") from None
        return answer.code


def _record(plan: DeploymentPlan, *, attempt: int, status: str, outcome: str, detail: str) -> None:
    plan.dispatch_status, plan.dispatch_attempts = status, attempt
    if status == Status.DELIVERED:
        plan.dispatch_delivered_at = timezone.now()
    plan.save(update_fields=["dispatch_status", "dispatch_attempts", "dispatch_delivered_at"])
    audit_event(
        action=AuditEvent.Action.DISPATCH,
        username="dispatch-push",
        target=f"deployment_plan:{plan.pk}",
        params={"direction": "outbound", "host": urlparse(settings.DISPATCH_PLAN_URL).netloc, "attempt": attempt,
                "status": status, "detail": detail},
        outcome=outcome,
    )  # fmt: skip


@shared_task(
    name="analytics.tasks.send_deployment_plan",
    bind=True,
    autoretry_for=(OSError, DispatchServerError),
    max_retries=MAX_RETRIES,
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=False,
)
def deployment_plan_send(self, plan_id: int) -> str:
    """POST the accepted plan; returns the delivery status. Raising retries (connection errors, 5xx) until the
    last attempt, which records the failure instead."""
    plan = DeploymentPlan.objects.get(pk=plan_id)
    if not settings.DISPATCH_PLAN_URL:
        plan.dispatch_status = Status.NOT_CONFIGURED
        plan.save(update_fields=["dispatch_status"])
        return plan.dispatch_status
    attempt = self.request.retries + 1
    body = json.dumps(dispatch_payload(plan), sort_keys=True).encode()
    try:
        code = _post(body)
    except (OSError, DispatchServerError) as error:
        last = self.request.retries >= self.max_retries
        _record(plan, attempt=attempt, status=Status.FAILED if last else Status.PENDING, outcome="failed",
                detail=str(error)[:200])  # fmt: skip
        if last:
            return plan.dispatch_status
        raise
    delivered = 200 <= code < 300
    _record(plan, attempt=attempt, status=Status.DELIVERED if delivered else Status.FAILED,
            outcome="success" if delivered else "failed", detail=f"HTTP {code}")  # fmt: skip
    return plan.dispatch_status
