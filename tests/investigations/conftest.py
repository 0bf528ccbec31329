from datetime import timedelta

import pytest
from django.utils import timezone

from investigations.services import actions_compute
from tests.investigations.factories import InvestigationFactory


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def cases(org, role_users, today):
    """Investigations in each place the roles see differently, each with an overdue first review:
    `own` (the officer's, team A), `team` (a colleague's in team A), `other_team` (Westminster team B),
    `other_bcu` (Camden team A). Actions are computed as the nightly job would."""
    allocated = today - timedelta(days=10)
    made = {
        "own": InvestigationFactory(team=org["westminster-team-a"], officer=role_users["officer"]),
        "team": InvestigationFactory(team=org["westminster-team-a"], officer=role_users["supervisor"]),
        "other_team": InvestigationFactory(team=org["westminster-team-b"]),
        "other_bcu": InvestigationFactory(team=org["camden-team-a"]),
    }
    for case in made.values():
        case.allocated_date = allocated
        case.save()
    actions_compute(today=today)
    return made
