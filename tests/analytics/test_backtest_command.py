"""`manage.py backtest hotspots|demand --json`: the last line is the promised JSON object, and it is stored."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analytics.models import (
    BiasReport,
    DemandBacktest,
    DemandForecast,
    DeploymentPlan,
    HotspotBacktest,
    HotspotRun,
)
from analytics.tasks import run_backtests
from tests.analytics.forecasting_data import calls, noise_and_cluster

pytestmark = pytest.mark.django_db


def _last_json_line(*args) -> dict:
    out = StringIO()
    call_command("backtest", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_hotspot_backtest_json_names_methods_and_baselines():
    noise_and_cluster(months=6, category="burglary")
    result = _last_json_line("hotspots", "--json", "--category", "burglary", "--cell", "250", "--test-from", "2024-04")
    assert result["periods"] == 3
    assert set(result["baselines"]) == {"last-period", "long-run"}
    assert set(result["baselines"]) < set(result["methods"])
    for scores in result["methods"].values():
        assert set(scores["hit_rate"]) == {"1", "5", "10"} and set(scores["pai"]) == {"1", "5", "10"}
    # the stable cluster holds about 40 of 190 burglaries a month in a few cells
    assert result["methods"]["long-run"]["hit_rate"]["5"] > 0.2
    assert HotspotBacktest.objects.get(pk=result["id"]).best_method == result["best"]
    # months 2 and 3 choose (month 1 has no past to predict it from), months 4 to 6 report
    assert result["validation_months"] == ["2024-02", "2024-03"]
    assert result["test_months"] == ["2024-04", "2024-05", "2024-06"]
    assert result["chosen"]["method"] == result["best"] and len(result["chosen"]["ratio_interval"]) == 2
    assert "near-repeat" in result["methods"] and result["hindsight"]["ratio_to_long_run"] > 0


def test_hotspot_backtest_on_h3_cells():
    noise_and_cluster(months=4)
    result = _last_json_line("hotspots", "--json", "--h3", "9")
    assert result["grid"] == "h3-9" and result["periods"] == 2  # by default half the months test, half choose


def test_demand_backtest_json_chooses_a_model_that_beats_seasonal_naive():
    calls(days=70)
    result = _last_json_line("demand", "--json")
    assert result["baseline"] == "seasonal-naive"
    assert result["chosen"] in result["models"]
    assert result["models"][result["chosen"]]["mase"] < 1
    assert set(result["models"]["seasonal-naive"]) == {"mase", "mape", "mae"}
    assert result["folds"]["validation"] >= 2 and result["folds"]["test"] >= 2
    assert result["headline"]["model"] == result["chosen"]
    assert DemandBacktest.objects.filter(pk=result["id"], chosen=result["chosen"]).exists()


def test_demand_backtest_on_too_short_a_history_says_what_it_needs_and_what_there_is():
    calls(days=21)  # the last day is incomplete: 20 whole days
    with pytest.raises(CommandError, match="needs 8 weeks of daily calls; has 20 days"):
        call_command("backtest", "demand", "--json", stdout=StringIO())
    with pytest.raises(CommandError, match="needs 32 weeks of weekly calls; has 2 weeks"):
        call_command("backtest", "demand", "--granularity", "week", stdout=StringIO())


def test_backtest_without_data_fails_clearly():
    with pytest.raises(CommandError, match="import"):
        call_command("backtest", "hotspots", "--json", stdout=StringIO())


def test_weekly_task_stores_backtests_hotspots_forecasts_plans_and_bias_reports():
    noise_and_cluster(months=4)
    calls(days=63)
    result = run_backtests.apply().get()  # run here, whatever the broker
    assert HotspotBacktest.objects.filter(pk=result["hotspot_backtest"]).exists()
    assert HotspotRun.objects.filter(pk__in=result["hotspot_runs"]).count() == len(HotspotRun.Method)
    for granularity in ("hour", "day"):
        assert DemandForecast.objects.filter(granularity=granularity, area_code="force").exists()
    assert result["demand_backtests"]["week"] is None  # nine weeks of calls are too few to backtest weeks
    forecast = DemandForecast.objects.get(granularity="day", area_code="force")
    backtest = DemandBacktest.objects.get(pk=result["demand_backtests"]["day"])
    assert forecast.model == backtest.chosen
    # the card's figures are the chosen model's test-fold scores, the same as the table's (summary) row
    assert forecast.mase == backtest.summary["models"][backtest.chosen]["mase"] is not None
    assert forecast.mae == backtest.summary["headline"]["mae"] and len(forecast.points) == 7
    assert all(p["lower"] <= p["yhat"] <= p["upper"] for p in forecast.points)
    assert DeploymentPlan.objects.filter(pk__in=result["deployment_plans"], basis="call").exists()
    assert BiasReport.objects.exists()
