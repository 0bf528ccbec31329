"""Issue 13: the daily actions pages at force scale make a fixed, small number of queries, cold (nothing kept from an
earlier request), whatever the number of actions, kinds, teams, officers, linked crimes and suspects behind them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from investigations.services import actions_compute
from tests.investigations.factories import InvestigationFactory, SuspectFactory, open_action

pytestmark = pytest.mark.django_db

NOTHING_KEPT = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Queries per request: session, user, its two permission reads, its unit, then the page's own. The queue: the units
# it sees, one count per kind and flag (badges, tabs, pager, reviews due), the page's rows, the reviews' rows, the
# linked crimes and the time-limit suspects of all rows; the roll-up: the units it sees, one count of the open
# actions, the week's allocations, the officers with their capacities, the trend. Then the audit row.
# (The figures were 19 for both the team queue and the roll-up.)
BUDGET = {
    ("supervisor", "/actions/"): 12,
    ("supervisor", "/actions/?kind=time_limit&page=2"): 12,
    ("officer", "/actions/?flag=overdue"): 10,
    ("commander", "/actions/rollup/"): 11,
    ("commander", "/actions/"): 11,
    ("admin", "/actions/rollup/?unit=westminster"): 10,
    ("commander", "/actions/upcoming/?days=90"): 11,
}


def _count(client, url: str) -> int:
    with override_settings(CACHES=NOTHING_KEPT), CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def _grow(org, role_users, today, count: int) -> None:
    """`count` more investigations in both Westminster teams, each with a suspect (two for every other one) and a
    linked crime, recomputed, and with open actions of several kinds and dues besides."""
    teams = [org["westminster-team-a"], org["westminster-team-b"]]
    officers = [role_users["officer"], role_users["supervisor"], None]
    made = []
    for number in range(count):
        case = InvestigationFactory(team=teams[number % 2], officer=officers[number % 3], offence_class="summary")
        SuspectFactory(investigation=case, name=f"Suspect {number}")
        if number % 2:
            SuspectFactory(investigation=case, name=f"Other {number}")
        case.linked_crimes.add(InvestigationFactory(team=teams[number % 2]))
        made.append(case)
    actions_compute(today=today)
    for case in made:
        for days, kind in ((-30, "time_limit"), (0, "bail"), (5, "rui"), (40, "victim_contact")):
            open_action(case, kind=kind, rule="budget", due_on=today + timedelta(days=days), key=f"{case.pk}:{kind}")


@pytest.mark.parametrize(("role", "url"), list(BUDGET))
def test_a_cold_page_keeps_its_query_budget_as_rows_grow(client_for, cases, org, role_users, today, role, url):
    client = client_for(role)
    _count(client, url)  # the session's first request does more (its permissions)
    _grow(org, role_users, today, 2)
    few = _count(client, url)
    assert few <= BUDGET[role, url]
    _grow(org, role_users, today, 30)
    assert _count(client, url) == few  # no query per row, kind, team, officer, linked crime or suspect
