"""The forecast card, the backtest table under it and the API show the same model, metric and test folds."""

from django.urls import reverse

from analytics.models import DemandForecast


def test_card_table_and_api_show_the_chosen_models_test_scores(client_for, forecast_data):
    response = client_for("analyst").get(reverse("dashboards:analytical"))
    card = response.context["forecast_charts"][0]
    table = {table["id"]: table for table in response.context["forecast_tables"]}["demand-backtest"]
    chosen_row = next(row for row in table["rows"] if "(chosen)" in row[0])
    model, mase, mape, mae = chosen_row
    assert f": {model.split(' ')[0]} with 90% interval" in card["title"]
    assert f"MASE {mase} " in card["title"] and f"MAPE {mape}%" in card["title"] and f"MAE {mae}" in card["title"]
    assert "validation weeks, scored on the" in table["title"]
    assert "MASE below 1 = better than repeating last week's value" in card["title"]
    assert table["notes"][0] == "MASE below 1 = better than repeating last week's value."
    assert "weighted by volume" in table["notes"][2]
    forecast = DemandForecast.objects.get(granularity="day", area_code="force")
    api = client_for("analyst").get(reverse("demand-forecast-detail", kwargs={"pk": forecast.pk})).json()
    assert api["model"] == model.split(" ")[0] and f"{api['mase']:.2f}" == mase


def test_hotspot_table_marks_the_method_chosen_on_months_before_the_test_months(client_for, forecast_data):
    response = client_for("analyst").get(reverse("dashboards:analytical"))
    table = {table["id"]: table for table in response.context["forecast_tables"]}["hotspot-backtest"]
    assert sum("(chosen)" in row[0] for row in table["rows"]) == 1
    assert table["notes"][0].startswith("Parameters and method chosen on ")
    assert "times long-run counts'" in table["notes"][1]
    assert table["notes"][2].startswith("For reference, not a forecast: ranking each test month by")
