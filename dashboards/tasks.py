"""Celery tasks of the dashboards app (names are fixed by crimedash/schedule.py)."""

from celery import shared_task

from dashboards.warm import dashboards_warm


@shared_task(name="dashboards.tasks.warm_dashboards")
def warm_dashboards() -> dict:
    """Every few minutes: render each scope's default dashboards (each refresh renders them before its generation
    bump; this catches new users and units, and entries the cache let go)."""
    return dashboards_warm()
