"""A commander's acceptance with a pilot: which sub-areas take the plan up and from which day (the evaluation's
treatment), then the plan is sent to dispatch once the acceptance commits."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from analytics.deployment.delivery import deployment_plan_send
from analytics.models import DeploymentPlan
from analytics.services import deployment_plan_accept


def deployment_plan_accept_pilot(
    *,
    plan: DeploymentPlan,
    user,
    request=None,
    pilot_areas: list[str] | None = None,
    pilot_start: dt.date | None = None,
) -> DeploymentPlan:
    """Accept (permission, scope and audit in analytics.services), record the pilot sub-areas and the day
    they start (default tomorrow), then send the plan to dispatch once the transaction commits."""
    unknown = set(pilot_areas or []) - set(plan.areas)
    if unknown:
        raise ValueError(f"Not areas of this plan: {', '.join(sorted(unknown))}.")
    # accepted first and on its own: a refusal's audit record must not roll back with anything of ours
    deployment_plan_accept(plan=plan, user=user, request=request)
    plan.pilot_areas = sorted(pilot_areas or [])
    plan.pilot_start = (pilot_start or timezone.localdate() + dt.timedelta(days=1)) if pilot_areas else None
    plan.dispatch_status = DeploymentPlan.DispatchStatus.PENDING
    plan.save(update_fields=["pilot_areas", "pilot_start", "dispatch_status"])
    # robust: a broker that is down (or an eager retry) must not turn a committed acceptance into an error page
    transaction.on_commit(lambda: deployment_plan_send.delay(plan.pk), robust=True)
    return plan
