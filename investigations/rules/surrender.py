"""Failure to surrender: a suspect bailed to return to a police station who fails to attend may be arrested
without warrant (PACE s46A(1)); the force circulates them as wanted. The flag stays up until the record shows
the suspect arrested again (or charged, released or released under investigation), never on a note alone."""

from datetime import date, timedelta

from investigations.conf import RuleSettings
from investigations.rules.facts import ActionSpec, CaseFacts

RULE = "surrender"


def actions(case: CaseFacts, *, today: date, conf: RuleSettings) -> list[ActionSpec]:
    if not case.is_open:
        return []
    return [
        ActionSpec(
            rule=RULE,
            key=f"{suspect.id}:{failed.on.isoformat()}",
            kind="surrender",
            title=f"{suspect.name} failed to surrender on {failed.on:%d %b %Y}: circulate as wanted and arrest "
            "under PACE s46A",
            due_on=failed.on + timedelta(days=conf.surrender_days),
            warning_days=0,
        )
        for suspect, failed in case.standing_as("failed_to_surrender")
    ]
