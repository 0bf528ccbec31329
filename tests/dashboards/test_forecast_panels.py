"""Panels fed by analytics' forecasting chain: Gi* layer, demand forecast and backtests, deployment plans."""

import json

from django.urls import reverse

from analytics.models import BiasReport, DeploymentPlan, HotspotBacktest
from dashboards.forecasting import bias_chart


def test_map_layers_are_embedded_as_geojson(client_for, forecast_data):
    response = client_for("analyst").get(reverse("dashboards:tactical"))
    layers = {layer["id"]: layer for layer in response.context["map_layers"]}
    # and next month's hotspots by the method the hotspot backtest chose, unless that is Gi* itself
    assert set(layers) - {"forecast"} == {"incidents", "hotspots", "gi-star"}
    assert ("forecast" in layers) == (HotspotBacktest.objects.latest("pk").best_method != "gi-star")
    assert layers["incidents"]["geojson"]["features"][0]["geometry"]["type"] == "Point"
    embedded = response.content.decode().split('id="map-layers" type="application/json">')[1].split("</script>")[0]
    assert json.loads(embedded)[0]["geojson"]["type"] == "FeatureCollection"


def test_analytical_page_shows_the_forecast_with_its_interval_and_backtests(client_for, forecast_data):
    response = client_for("analyst").get(reverse("dashboards:analytical"))
    forecast, bias = response.context["forecast_charts"]
    assert not forecast["empty"]
    assert [trace["name"] for trace in forecast["figure"]["data"]] == ["Observed", "Prediction interval", "Forecast"]
    assert "MASE" in forecast["title"]
    tables = {table["id"]: table for table in response.context["forecast_tables"]}
    assert any("(chosen)" in row[0] for row in tables["demand-backtest"]["rows"])
    assert any("(baseline)" in row[0] for row in tables["hotspot-backtest"]["rows"])
    assert bias["figure"]["data"][0]["name"] == "Share of reported demand"


def test_commander_accepts_the_proposed_deployment_plan(client_for, forecast_data):
    client = client_for("commander")
    plan = client.get(reverse("dashboards:tactical")).context["deployment"]
    assert plan["borough_code"] == "E09000033"
    assert plan["rows"]
    response = client.post(reverse("dashboards:deployment_accept", args=[plan["id"]]))
    assert response.status_code == 302
    assert DeploymentPlan.objects.get(pk=plan["id"]).state == DeploymentPlan.State.ACCEPTED


def test_commander_cannot_accept_another_bcus_plan(client_for, forecast_data):
    camden = DeploymentPlan.objects.filter(borough_code="E09000007").first()
    assert client_for("commander").post(reverse("dashboards:deployment_accept", args=[camden.pk])).status_code == 404
    assert client_for("analyst").post(reverse("dashboards:deployment_accept", args=[camden.pk])).status_code == 403


def test_a_bias_report_without_deciles_explains_itself_instead_of_drawing_a_none_bar(role_users, db):
    BiasReport.objects.create(by_decile=[{"decile": None, "areas": 6, "demand_share": 1.0, "units_share": 1.0}])
    chart = bias_chart(user=role_users["analyst"])
    assert "IMD 2019 decile" in chart["note"]
    assert chart["figure"]["data"][0]["x"] == ["No decile"]
    known = {"decile": 2, "areas": 3, "demand_share": 0.6, "units_share": 0.4}
    BiasReport.objects.create(by_decile=[known, {"decile": None, "areas": 1, "demand_share": 0.4, "units_share": 0.6}])
    chart = bias_chart(user=role_users["analyst"])
    assert "note" not in chart and chart["figure"]["data"][0]["x"] == ["Decile 2", "No decile"]
