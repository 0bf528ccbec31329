"""Celery tasks of the demo app."""

from celery import shared_task

from demo.forecasts import demo_forecasts_run


@shared_task(name="demo.tasks.demo_forecasts")
def demo_forecasts() -> dict:
    """The demo's forecasting chain, in the worker once the demo's web server is up."""
    return demo_forecasts_run()
