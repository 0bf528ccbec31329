"""Supervisor reviews (force policy under the College of Policing APP on investigation): a first review within
N days of allocation, then one every M days while the investigation is open (defaults 7 and 28)."""

from datetime import date, timedelta

from investigations.conf import RuleSettings
from investigations.rules.facts import ActionSpec, CaseFacts

RULE = "review"


def review_due(case: CaseFacts, conf: RuleSettings) -> tuple[date, bool] | None:
    """(due date, is the first review) or None when there is nothing to anchor it."""
    allocated = case.allocated_date or case.recorded_on
    if allocated is None:
        return None
    since = [r for r in case.reviews if r >= allocated]
    if since:
        return max(since) + timedelta(days=conf.review_interval_days), False
    return allocated + timedelta(days=conf.review_first_days), True


def actions(case: CaseFacts, *, today: date, conf: RuleSettings) -> list[ActionSpec]:
    due = review_due(case, conf) if case.is_open else None
    if due is None:
        return []
    due_on, first = due
    return [
        ActionSpec(
            rule=RULE,
            key=f"{case.id}:{due_on.isoformat()}",
            kind="review",
            title="First supervisor review" if first else "Supervisor review",
            due_on=due_on,
            warning_days=conf.review_warning_days,
        )
    ]
