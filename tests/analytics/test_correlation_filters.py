"""The correlation API follows the filters (issue 12): unfiltered it answers the stored force-wide result, with an
area or a category it answers the correlation of that area's LSOAs and that category's crimes."""

import pytest
from django.urls import reverse

from analytics.refresh import analytics_refresh
from tests.dashboards.factories import CAMDEN, WESTMINSTER, areas_create, incidents_create, lsoas_of


@pytest.fixture
def correlated(db):
    areas_create()
    incidents_create(per_month=4)
    analytics_refresh(full=True)


def _get(client, name: str, **query):
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response.json()


def test_the_deprivation_correlation_follows_the_area_and_category(client_for, correlated):
    client = client_for("analyst")
    everywhere = _get(client, "analytics-deprivation-correlation")
    westminster = _get(client, "analytics-deprivation-correlation", area=WESTMINSTER)
    burglary = _get(client, "analytics-deprivation-correlation", area=WESTMINSTER, category="burglary")
    lsoas = lambda result: {point["lsoa"] for point in result["points"]["imd"]}  # noqa: E731
    assert lsoas(everywhere) == set(lsoas_of(WESTMINSTER)) | set(lsoas_of(CAMDEN))
    assert lsoas(westminster) == set(lsoas_of(WESTMINSTER))
    counts = lambda result: sum(point["count"] for point in result["points"]["imd"])  # noqa: E731
    assert 0 < counts(burglary) < counts(westminster)


def test_the_category_correlation_follows_the_period(client_for, correlated):
    client = client_for("analyst")
    one_year = _get(client, "analytics-category-correlation", date_from="2024-01", date_to="2024-12")
    two_years = _get(client, "analytics-category-correlation", date_from="2023-01", date_to="2024-12")
    assert one_year["categories"] and one_year["matrix"] != two_years["matrix"]


def test_the_correlation_api_stays_closed_to_roles_without_analytical_access(client_for, correlated):
    for role in ("executive", "commander"):
        response = client_for(role).get(reverse("analytics-deprivation-correlation"), {"area": WESTMINSTER})
        assert response.status_code == 403
