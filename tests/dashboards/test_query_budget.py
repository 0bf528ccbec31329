"""Each page costs a bounded number of queries whatever the data size: rollups are summed, never incidents counted."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

# Cold cache (every selector computes). Includes session, user, permissions and the audit record of the view.
BUDGET = {
    "dashboards:strategic": 30,
    # the live feed and the map each ask the rollups first (2-4 reads each), then whether anything was written since
    # the refresh (2-3 reads each: the refresh runs, then one EXISTS per kind of write)
    "dashboards:tactical": 52,
    "dashboards:analytical": 50,  # with the response-time and context-effect panels
    # + up to 4 rollup reads that bound the Incident read to the newest periods and up to 3 that say it may stop there
    "dashboards:incidents": 19,
    "dashboards:briefing": 30,
}


@pytest.mark.parametrize("url_name", sorted(BUDGET))
def test_page_stays_within_its_query_budget(client_for, dashboard_data, django_assert_max_num_queries, url_name):
    client = client_for("admin")
    with django_assert_max_num_queries(BUDGET[url_name]):
        assert client.get(reverse(url_name)).status_code == 200


SIGN_IN_AND_AUDIT = {"django_session", "accounts_user", "accounts_orgunit", "accounts_auditevent"}


KEPT_VIEWS = [
    ("executive", "/dashboards/strategic/briefing/"),
    ("commander", "/dashboards/strategic/"),
    ("commander", "/dashboards/tactical/"),
    ("commander", "/dashboards/incidents/"),
    ("analyst", "/dashboards/analytical/"),
    ("analyst", "/dashboards/tactical/"),
    ("analyst", "/dashboards/export/tactical.geojson"),
    ("analyst", "/api/analytics/calls/"),
]


@pytest.mark.parametrize("role, url", KEPT_VIEWS)
def test_a_repeated_view_reads_only_the_sign_in_and_writes_only_the_audit(client_for, dashboard_data, role, url):
    client = client_for(role)
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    tables = {re.search(r'(?:FROM|INTO) "(\w+)"', query["sql"]).group(1) for query in queries}
    assert tables <= SIGN_IN_AND_AUDIT and "accounts_auditevent" in tables, tables


def test_the_analytical_page_reads_the_newest_demand_backtest_once(client_for, dashboard_data):
    """The backtest table and the context effects show the same backtest: one read of it for both."""
    with CaptureQueriesContext(connection) as queries:
        assert client_for("analyst").get(reverse("dashboards:analytical")).status_code == 200
    reads = [query for query in queries if re.search(r'FROM "analytics_demandbacktest"\s', query["sql"])]
    assert len(reads) == 1, [query["sql"][:120] for query in reads]
