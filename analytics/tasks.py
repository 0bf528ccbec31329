"""Celery tasks of the analytics app (names are fixed by crimedash/schedule.py). Each stays a thin wrapper."""

from celery import shared_task

from analytics.deployment.delivery import deployment_plan_send  # noqa: F401  (registered with the worker)
from analytics.forecasting.refresh import forecasting_refresh
from analytics.refresh import analytics_refresh
from analytics.signals import REFRESH_TASK
from analytics.trends import trends_detect


@shared_task(name=REFRESH_TASK)
def refresh_analytics(run_id: int | None = None, full: bool = False) -> dict:
    """After an import (run_id) or on the hour: refresh the rollups and results, render the dashboards users open most
    before the new results show (nobody meets a cold page after a refresh), then look for emerging trends."""
    refresh = analytics_refresh(run_id=run_id, full=full, warm=True)
    return {"refresh_id": refresh.pk, "seconds": refresh.seconds, "alerts": trends_detect()}


@shared_task(name="analytics.tasks.detect_trends")
def detect_trends() -> dict:
    return trends_detect()


@shared_task(name="analytics.tasks.run_backtests")
def run_backtests() -> dict:
    """Weekly: backtest hotspot methods and demand models, then store hotspots, forecasts, plans and bias reports."""
    return forecasting_refresh()
