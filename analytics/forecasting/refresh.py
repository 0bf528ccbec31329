"""The weekly forecasting chain: backtests first (they choose the models), then the stored results pages read."""

from analytics.deployment.plans import deployment_plans_refresh
from analytics.forecasting.demand import GRANULARITIES, demand_forecasts_refresh
from analytics.hotspots.runs import hotspot_backtest_run, hotspots_refresh
from crimedash.caching import bump_generation


def forecasting_refresh() -> dict:
    """Hotspot backtest and runs, demand backtests and forecasts per granularity, plans with bias reports."""
    backtest = hotspot_backtest_run(kind="crime")
    result = {
        "hotspot_backtest": backtest.pk if backtest else None,
        "hotspot_runs": hotspots_refresh(),
        "demand_backtests": {},
    }
    for granularity in GRANULARITIES:
        demand = demand_forecasts_refresh(granularity=granularity)
        result["demand_backtests"][granularity] = demand.pk if demand else None
    basis = "call" if result["demand_backtests"]["day"] else "crime"
    result["deployment_plans"] = deployment_plans_refresh(basis=basis)
    bump_generation()
    return result
