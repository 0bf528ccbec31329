"""The writes a person makes in analytics, at the edge: each checks the person's permission and scope, calls the
domain function that changes state (analytics.trends, analytics.deployment.plans), and records it in the audit
trail, refusals too. The domain functions know nothing of permissions, requests or audit records."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.audit import audit_event
from accounts.models import AuditEvent
from accounts.permissions import check_permission
from accounts.scoping import area_codes_visible_to
from analytics.deployment.plans import plan_accept
from analytics.models import Alert, DeploymentPlan
from analytics.trends import alert_set_state, alerts_visible_to


def alert_act(*, user, alert_id: int, state: str, note: str = "", request=None) -> Alert:
    """A commander acknowledges or dismisses an alert in their own BCU (404 outside it); audited."""
    check_permission(user, "analytics.acknowledge_alert")
    alert = get_object_or_404(alerts_visible_to(user=user).select_for_update(), pk=alert_id)
    alert = alert_set_state(alert=alert, user=user, state=state, note=note)
    audit_event(action="update", request=request, user=user, target=f"alert:{alert.pk}", params={"state": state})
    return alert


def deployment_plan_accept(*, plan: DeploymentPlan, user, request=None) -> DeploymentPlan:
    """A commander accepts a proposed plan of their own BCU; the previous accepted plan is superseded. Audited,
    refusals too (outside the transaction, so the refusal's record survives)."""
    try:
        check_permission(user, "analytics.accept_deployment")
        _check_scope(plan=plan, user=user)
    except PermissionDenied:
        audit_event(**_plan_audit(plan, request, user), outcome=AuditEvent.Outcome.DENIED)
        raise
    plan = plan_accept(plan=plan, user=user)
    audit_event(**_plan_audit(plan, request, user))
    return plan


def _plan_audit(plan: DeploymentPlan, request, user) -> dict:
    params = {"state": "accepted", "borough": plan.borough_code, "coverage": plan.metrics.get("coverage")}
    return {
        "action": AuditEvent.Action.UPDATE,
        "request": request,
        "user": user,
        "target": f"deployment_plan:{plan.pk}",
        "params": params,
    }


def _check_scope(*, plan: DeploymentPlan, user) -> None:
    codes = area_codes_visible_to(user=user)
    if codes is not None and plan.borough_code not in codes:
        raise PermissionDenied("This plan deploys outside your BCU.")
