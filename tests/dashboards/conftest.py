import pytest
from django.apps import apps

from analytics.forecasting.refresh import forecasting_refresh
from analytics.refresh import analytics_refresh
from tests.dashboards.factories import areas_create, incidents_create


def _wipe() -> None:
    for app_label in ("analytics", "ingestion"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.managed:
                model.objects.all().delete()


@pytest.fixture(scope="module")
def _module_data(django_db_setup, django_db_blocker):
    """Built once per module (the analytics refresh takes seconds) and removed after it."""
    with django_db_blocker.unblock():
        areas_create()
        incidents_create()
        analytics_refresh(full=True)
    yield
    with django_db_blocker.unblock():
        _wipe()


@pytest.fixture
def dashboard_data(_module_data, db):
    """Two boroughs, two years of crimes and calls, and every analytics result refreshed from them."""


@pytest.fixture(scope="module")
def _module_forecasts(_module_data, django_db_blocker):
    with django_db_blocker.unblock():
        forecasting_refresh()


@pytest.fixture
def forecast_data(_module_forecasts, db):
    """dashboard_data plus hotspot runs, demand forecasts and backtests, deployment plans and bias reports."""
