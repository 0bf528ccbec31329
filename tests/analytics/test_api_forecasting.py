"""The forecasting API: scoped reads, GeoJSON hotspot cells, and a commander's plan acceptance."""

import datetime as dt

import h3
import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.models import DemandForecast, DeploymentPlan, HotspotCell, HotspotRun

WESTMINSTER, CAMDEN = "E09000033", "E09000007"
pytestmark = pytest.mark.django_db


def _plan(borough: str) -> DeploymentPlan:
    return DeploymentPlan.objects.create(
        borough_code=borough,
        shifts=["early"],
        areas=["p"],
        demand={"p": {"early": 1.0}},
        units_available={"early": 1},
        max_imbalance=3,
        allocation={"p": {"early": 1}},
    )


@pytest.fixture
def run():
    run = HotspotRun.objects.create(
        method="gi-star", grid_kind="h3", resolution=9, period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 2, 1)
    )
    for rank, (borough, lat) in enumerate(((WESTMINSTER, 51.50), (CAMDEN, 51.54)), start=1):
        HotspotCell.objects.create(
            run=run,
            cell=h3.latlng_to_cell(lat, -0.14, 9),
            borough_code=borough,
            latitude=lat,
            longitude=-0.14,
            value=4.2,
            rank=rank,
            z=4.0,
            p=0.00003,
            q=0.001,
            significant=True,
        )
    return run


def test_hotspot_cells_are_geojson_polygons_scoped_to_the_commanders_bcu(client_for, run):
    url = reverse("hotspot-run-cells", kwargs={"pk": run.pk})
    analyst = client_for("analyst").get(url).json()
    assert analyst["type"] == "FeatureCollection" and len(analyst["features"]) == 2
    feature = analyst["features"][0]
    assert feature["geometry"]["type"] == "Polygon" and len(feature["geometry"]["coordinates"][0]) == 7
    assert feature["properties"]["significant"] and feature["properties"]["q"] == 0.001
    commander = client_for("commander").get(url).json()
    assert [f["properties"]["borough_code"] for f in commander["features"]] == [WESTMINSTER]


def test_forecasts_are_scoped_to_the_commanders_bcu(client_for):
    for code in (WESTMINSTER, CAMDEN, "force"):
        DemandForecast.objects.create(
            area_code=code, granularity="day", model="holt-winters", issued_at=timezone.now(), points=[]
        )
    rows = client_for("commander").get(reverse("demand-forecast-list")).json()["results"]
    assert [row["area_code"] for row in rows] == [WESTMINSTER]


def test_commander_accepts_their_bcus_plan_through_the_api(client_for, role_users):
    plan = _plan(WESTMINSTER)
    response = client_for("commander").post(reverse("deployment-plan-accept", kwargs={"pk": plan.pk}))
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    plan.refresh_from_db()
    assert plan.accepted_by == role_users["commander"]
    again = client_for("commander").post(reverse("deployment-plan-accept", kwargs={"pk": plan.pk}))
    assert again.status_code == 409


def test_another_bcus_plan_is_not_found_for_the_commander(client_for):
    plan = _plan(CAMDEN)
    client = client_for("commander")
    assert client.get(reverse("deployment-plan-detail", kwargs={"pk": plan.pk})).status_code == 404
    assert client.post(reverse("deployment-plan-accept", kwargs={"pk": plan.pk})).status_code == 404
    plan.refresh_from_db()
    assert plan.state == "proposed"


@pytest.mark.parametrize("role", ["analyst", "executive", "supervisor", "officer"])
def test_roles_without_accept_permission_are_refused(client_for, role):
    plan = _plan(WESTMINSTER)
    assert client_for(role).post(reverse("deployment-plan-accept", kwargs={"pk": plan.pk})).status_code == 403
    plan.refresh_from_db()
    assert plan.state == "proposed"


def test_anonymous_callers_are_refused(client):
    assert client.get(reverse("deployment-plan-list")).status_code == 403
