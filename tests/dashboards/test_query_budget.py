"""Each page costs a bounded number of queries whatever the data size: rollups are summed, never incidents counted."""

import pytest
from django.urls import reverse

# Cold cache (every selector computes). Includes session, user, permissions and the audit record of the view.
BUDGET = {
    "dashboards:strategic": 30,
    "dashboards:tactical": 40,
    "dashboards:analytical": 45,
    "dashboards:incidents": 12,
    "dashboards:briefing": 30,
}


@pytest.mark.parametrize("url_name", sorted(BUDGET))
def test_page_stays_within_its_query_budget(client_for, dashboard_data, django_assert_max_num_queries, url_name):
    client = client_for("admin")
    with django_assert_max_num_queries(BUDGET[url_name]):
        assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url_name", ["dashboards:strategic", "dashboards:tactical", "dashboards:analytical"])
def test_a_repeated_view_is_served_from_the_cache(client_for, dashboard_data, django_assert_max_num_queries, url_name):
    client = client_for("admin")
    client.get(reverse(url_name))
    with django_assert_max_num_queries(12):
        assert client.get(reverse(url_name)).status_code == 200
