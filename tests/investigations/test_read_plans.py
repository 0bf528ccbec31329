"""The supervisor's team queue and the commander's roll-up at force scale: a fixed number of queries whatever the
number of actions (no query per row), and, on PostgreSQL, every read of the Action table on an index."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investigations.services import actions_changed
from tests.investigations.factories import InvestigationFactory
from tests.plans import relation_scans

pytestmark = pytest.mark.django_db

# Queries per page (session, user, scope, counts, page, prefetches, audit; cold roll-up: its reads and the trend);
# PostgreSQL makes 16 of them, SQLite one more.
BUDGET = {"supervisor": 18, "commander": 18}
URL = {"supervisor": "investigations:actions", "commander": "investigations:rollup"}
# Many closed actions (years of done work) and a tenth open, spread over the four teams' investigations.
INSERT_ACTIONS = """
INSERT INTO investigations_action (investigation_id, team_id, officer_id, kind, title, due_on, warning_days,
    warn_from, state, rule, key, created_on, note, supervisor_reason)
SELECT i.id, i.team_id, i.officer_id, (ARRAY['review','victim_contact','bail','cdi'])[1 + g %% 4], 'Plan', d.due,
    7, d.due - 7, CASE WHEN g %% 10 = 0 THEN 'open' ELSE 'done' END, 'plan', 'plan-' || g, d.due, '', ''
FROM generate_series(1, %(rows)s) AS g
JOIN LATERAL (SELECT id, team_id, officer_id FROM investigations_investigation ORDER BY id
              OFFSET g %% %(cases)s LIMIT 1) i ON true
CROSS JOIN LATERAL (SELECT current_date - 200 + g %% 400 AS due) d
"""


def _queries(client_for, role: str) -> list[str]:
    client = client_for(role)
    actions_changed()  # the roll-up computed afresh, not read from the cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(URL[role])).status_code == 200
    return [query["sql"] for query in captured]


def _more_cases(org, role_users, count: int) -> None:
    from investigations.services import actions_compute

    for number in range(count):
        team = org["westminster-team-a"] if number % 2 else org["westminster-team-b"]
        InvestigationFactory(team=team, officer=role_users["officer"] if number % 3 else role_users["supervisor"])
    actions_compute()


@pytest.mark.parametrize("role", ["supervisor", "commander"])
def test_page_stays_within_its_query_budget_whatever_the_rows(client_for, cases, org, role_users, role):
    _queries(client_for, role)  # the first request of a session does more (its session, its permissions)
    few = len(_queries(client_for, role))
    assert few <= BUDGET[role]
    _more_cases(org, role_users, 12)
    assert len(_queries(client_for, role)) == few  # no query per row, per team or per officer


def _action_scans(sql: str) -> list[dict]:
    return relation_scans(sql, "investigations_action")


def _index_names(scan: dict) -> set[str]:
    names = {scan.get("Index Name")} | {child.get("Index Name") for child in scan.get("Plans", [])}
    return names - {None}


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="query plans are PostgreSQL's")
@pytest.mark.parametrize("role", ["supervisor", "commander"])
def test_every_action_read_runs_on_an_index(client_for, cases, role):
    with connection.cursor() as cursor:
        cursor.execute(INSERT_ACTIONS, {"rows": 40_000, "cases": len(cases)})
        cursor.execute("ANALYZE investigations_action")
    reads = [sql for sql in _queries(client_for, role) if 'FROM "investigations_action"' in sql]
    assert reads
    used = set()
    for sql in reads:
        for scan in _action_scans(sql):
            assert scan["Node Type"] != "Seq Scan", sql
            used |= _index_names(scan)
    # the counts, the page and the roll-up read the open actions' own index
    assert "action_open_team_due_idx" in used
