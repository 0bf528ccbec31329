"""URL matrix rows of the dispatch-facing plans API (merged into tests/analytics/url_matrix.py)."""

import datetime as dt

from analytics.models import DeploymentPlan

TACTICAL = {"admin", "commander", "analyst"}
ROLES = ["admin", "executive", "commander", "analyst", "supervisor", "officer"]


def accepted_pilot_in_westminster(org) -> dict:
    plan = DeploymentPlan.objects.create(
        borough_code="E09000033",
        shifts=["early"],
        areas=["p", "q"],
        demand={"p": {"early": 1.0}, "q": {"early": 1.0}},
        units_available={"early": 1},
        max_imbalance=3,
        allocation={"p": {"early": 1}, "q": {"early": 0}},
        state=DeploymentPlan.State.ACCEPTED,
        pilot_areas=["p"],
        pilot_start=dt.date(2024, 3, 4),
    )
    return {"pk": plan.pk}


def _row(*, kwargs=None) -> dict:
    row = {"anonymous": 403, **{role: 200 if role in TACTICAL else 403 for role in ROLES}}
    return row | ({"kwargs": kwargs} if kwargs else {})


EXPECTED = {
    "dispatch-plan-list": _row(),
    "dispatch-plan-detail": _row(kwargs=accepted_pilot_in_westminster),
}
