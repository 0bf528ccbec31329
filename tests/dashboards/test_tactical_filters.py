"""The tactical page's live half follows the filter bar: the deployment card shows the plan of the BCU the chosen
areas belong to (or none), the feed says when the filters match nothing, and the empty-page banner does not sit
above a map of matching incidents."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.models import DeploymentPlan
from ingestion.models import Area, Incident
from tests.analytics.factories import IncidentFactory
from tests.dashboards.factories import CAMDEN, WESTMINSTER, areas_create, lsoas_of

pytestmark = pytest.mark.django_db
ISLINGTON = "E09000019"  # a borough of the force with no plan


def _plan(borough: str, areas: list[str]) -> DeploymentPlan:
    return DeploymentPlan.objects.create(
        borough_code=borough, shifts=["day"], areas=areas, demand={}, units_available={"day": 1},
        max_imbalance=2.0, allocation={area: {"day": 1} for area in areas}, metrics={},
    )  # fmt: skip


@pytest.fixture
def plans(db):
    areas_create()
    Area.objects.create(code=ISLINGTON, name="Islington", kind=Area.Kind.BOROUGH, parent_id="met")
    return {"westminster": _plan(WESTMINSTER, [f"{WESTMINSTER}-hood"]), "camden": _plan(CAMDEN, [f"{CAMDEN}-hood"])}


def _incident(when: dt.datetime) -> Incident:
    return IncidentFactory(
        borough_id=WESTMINSTER, lsoa_id=lsoas_of(WESTMINSTER)[0], occurred_at=when,
        time_precision=Incident.Precision.MINUTE, latitude=51.5, longitude=-0.13,
    )  # fmt: skip


def _card(client, **query):
    response = client.get(reverse("dashboards:tactical"), query)
    assert response.status_code == 200
    return response.context["deployment"], response.content.decode()


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        (WESTMINSTER, "westminster"),  # the BCU itself
        (f"{WESTMINSTER}-hood", "westminster"),  # an area the plan deploys in
        (CAMDEN, "camden"),
        (lsoas_of(CAMDEN)[0], "camden"),  # an LSOA below the BCU, in none of the plan's areas
    ],
)
def test_the_card_shows_the_plan_of_the_chosen_areas_bcu(client_for, plans, area, expected):
    card, _ = _card(client_for("admin"), area=area)
    assert card["id"] == plans[expected].pk


def test_a_chosen_force_shows_the_newest_plan_of_its_bcus(client_for, plans):
    card, _ = _card(client_for("admin"), area="met")
    assert card["id"] == plans["camden"].pk  # made last


def test_an_area_no_plan_covers_says_so(client_for, plans):
    card, html = _card(client_for("admin"), area=ISLINGTON)
    assert card is None
    assert "No deployment plan covers the chosen areas" in html
    assert "No deployment plan has been computed yet" not in html


def test_a_commander_never_sees_another_bcus_plan_by_choosing_its_area(client_for, plans, role_users):
    card, _ = _card(client_for("commander"), area=CAMDEN)  # the Westminster commander
    assert card is None


def test_the_feed_says_when_the_filters_match_nothing(client_for, plans):
    client = client_for("admin")
    _incident(timezone.now() - dt.timedelta(days=1))
    _, unfiltered = _card(client)
    assert "match these filters" not in unfiltered
    _, filtered = _card(client, area=ISLINGTON)
    assert "No incidents with a time of day match these filters" in filtered
    assert "yet." not in filtered


def test_no_empty_banner_above_a_map_of_matching_incidents(client_for, plans):
    when = timezone.now() - dt.timedelta(days=2)
    _incident(when)
    response = client_for("admin").get(reverse("dashboards:tactical"), {"area": WESTMINSTER})
    layers = {layer["id"] for layer in response.context["map_layers"]}
    assert "incidents" in layers
    assert response.context["has_data"] is True
    assert b"Nothing to show.</strong>" not in response.content  # the page's banner (a chart's names the chart)
