"""The demo's pilot: a plan accepted for two sub-areas of the demo commander's BCU six weeks before the demo's calls
end, so the pilot page has weeks before and after to compare. The demo's calls carry no pilot effect, so the page
should mostly read "no measurable difference" (a 95% interval still misses zero about one time in twenty).

Demo accounts are created after the import (make demo-accounts), so no commander exists yet to accept through
deployment_plan_accept; the acceptance is written here directly and audited as the demo's."""

import datetime as dt

from django.db.models import Count, Max
from django.utils import timezone

from accounts.audit import audit_event
from accounts.models import AuditEvent
from analytics.deployment import evaluation
from analytics.deployment.plans import deployment_plan_propose
from analytics.models import DeploymentPlan
from ingestion.models import Incident

DEMO_BOROUGH = "E09000033"  # Westminster: the demo commander's BCU (accounts.demo)
PILOT_SIZE = 2
WEEKS_AFTER = 6


def _demo_borough() -> str | None:
    calls = Incident.objects.filter(kind=Incident.Kind.CALL, post_id__isnull=False).exclude(borough_id=None)
    if calls.filter(borough_id=DEMO_BOROUGH).exists():
        return DEMO_BOROUGH
    busiest = calls.values("borough_id").annotate(n=Count("id")).order_by("-n").first()
    return busiest["borough_id"] if busiest else None


def _middle_areas(plan: DeploymentPlan) -> list[str]:
    """Sub-areas of middling demand: the ones most likely to have comparable areas either side."""
    ranked = sorted((a for a in plan.areas if a != "unknown"), key=lambda a: sum(plan.demand[a].values()))
    middle = max(len(ranked) // 2 - PILOT_SIZE // 2, 0)
    return sorted(ranked[middle : middle + PILOT_SIZE])


def demo_pilot_create() -> DeploymentPlan | None:
    """Propose a plan for the demo BCU and record it accepted, with a pilot starting WEEKS_AFTER weeks before the
    last day of calls. None when the demo has no calls by sub-area."""
    borough = _demo_borough()
    plan = deployment_plan_propose(borough_code=borough) if borough else None
    if plan is None:
        return None
    last = Incident.objects.filter(borough_id=borough, kind=plan.basis).aggregate(last=Max("local_date"))["last"]
    start = last - dt.timedelta(days=7 * WEEKS_AFTER)  # the last day is cut short: WEEKS_AFTER whole weeks
    accepted = timezone.make_aware(dt.datetime.combine(start - dt.timedelta(days=1), dt.time(9)))
    DeploymentPlan.objects.filter(borough_code=borough, state=DeploymentPlan.State.ACCEPTED).update(
        state=DeploymentPlan.State.SUPERSEDED
    )
    plan.state, plan.accepted_at, plan.pilot_start = DeploymentPlan.State.ACCEPTED, accepted, start
    plan.pilot_areas = _middle_areas(plan)
    plan.dispatch_status = DeploymentPlan.DispatchStatus.NOT_CONFIGURED
    plan.save(update_fields=["state", "accepted_at", "pilot_start", "pilot_areas", "dispatch_status"])
    audit_event(
        action=AuditEvent.Action.UPDATE,
        username="demo",
        target=f"deployment_plan:{plan.pk}",
        params={"state": "accepted", "borough": borough, "pilot_areas": plan.pilot_areas, "demo": True,
                "pilot_start": start.isoformat(), "min_weeks_after": evaluation.MIN_WEEKS_AFTER},
    )  # fmt: skip
    return plan
