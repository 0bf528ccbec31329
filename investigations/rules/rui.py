"""Released under investigation (PACE s34, s37 as amended): no statutory time limit applies, so the force
reviews a suspect released under investigation at set ages (force setting, default 90 and 180 days)."""

from datetime import date, timedelta

from investigations.conf import RuleSettings
from investigations.rules.facts import ActionSpec, CaseFacts

RULE = "rui"


def actions(case: CaseFacts, *, today: date, conf: RuleSettings) -> list[ActionSpec]:
    if not case.is_open:
        return []
    specs = []
    for suspect, standing in case.standing_as("rui"):
        for index, age in enumerate(conf.rui_review_ages):
            due = standing.on + timedelta(days=age)
            # Only the first review, and later ones once they come into view, so a queue is not cluttered.
            if index and due - timedelta(days=conf.rui_warning_days) > today:
                break
            specs.append(
                ActionSpec(
                    rule=RULE,
                    key=f"{suspect.id}:{standing.on.isoformat()}:{age}",
                    kind="rui",
                    title=f"{suspect.name} released under investigation {age} days on {due:%d %b %Y}: review",
                    due_on=due,
                    warning_days=conf.rui_warning_days,
                )
            )
    return specs
