"""Who may open each analytics URL, merged by tests/test_url_matrix.py (one dict per feature module)."""

import datetime as dt

from analytics.models import Alert, MonthlyCount
from tests.analytics.url_matrix_deployment import EXPECTED as DEPLOYMENT
from tests.analytics.url_matrix_forecasting import EXPECTED as FORECASTING
from tests.analytics.url_matrix_response_times import EXPECTED as RESPONSE_TIMES

ROLES = ["admin", "executive", "commander", "analyst", "supervisor", "officer"]
STRATEGIC = {"admin", "executive", "commander", "analyst"}
TACTICAL = {"admin", "commander", "analyst"}
ANALYTICAL = {"admin", "analyst"}


def _row(allowed: set[str], *, granted: int = 200, kwargs=None) -> dict:
    """API endpoints: 403 for anonymous (session auth) and for roles without the permission."""
    row = {"anonymous": 403, **{role: granted if role in allowed else 403 for role in ROLES}}
    return row | ({"kwargs": kwargs} if kwargs else {})


def _westminster_alert(org) -> dict:
    alert, _ = Alert.objects.get_or_create(
        area_code="E09000033", category="burglary", period="month", period_start=dt.date(2024, 6, 1),
        defaults={"level": "borough", "borough_code": "E09000033", "observed": 50, "expected": 10, "lower": 3,
                  "upper": 19, "p_value": 1e-9, "direction": "up"},
    )  # fmt: skip
    return {"pk": alert.pk}


def _monthly_row(org) -> dict:
    row, _ = MonthlyCount.objects.get_or_create(
        level="borough", area_code="E09000033", borough_code="E09000033", month=dt.date(2024, 1, 1),
        category="burglary", kind="crime", origin="public_report", source="police_uk", defaults={"count": 12},
    )  # fmt: skip
    return {"pk": row.pk}


CORE = {
    "analytics-kpis": _row(STRATEGIC),
    "analytics-monthly": _row(STRATEGIC),
    "analytics-areas": _row(STRATEGIC),
    "analytics-categories": _row(STRATEGIC),
    "analytics-strategic-metrics": _row(STRATEGIC),
    "analytics-filter-options": _row(STRATEGIC),
    "analytics-hour-weekday": _row(TACTICAL),
    "analytics-calendar-effects": _row(TACTICAL),
    "analytics-calls": _row(TACTICAL),
    "analytics-context": _row(ANALYTICAL),
    "analytics-seasonal": _row(ANALYTICAL, granted=400),  # `area` is required
    "analytics-deprivation-correlation": _row(ANALYTICAL),
    "analytics-category-correlation": _row(ANALYTICAL),
    "analytics-alert-list": _row(TACTICAL),
    "analytics-alert-detail": _row(TACTICAL, kwargs=_westminster_alert),
    "analytics-alert-acknowledge": _row(TACTICAL, granted=405, kwargs=_westminster_alert),  # POST only
    "analytics-alert-dismiss": _row(TACTICAL, granted=405, kwargs=_westminster_alert),
    "analytics-monthly-count-list": _row(ANALYTICAL),
    "analytics-monthly-count-detail": _row(ANALYTICAL, kwargs=_monthly_row),
}

EXPECTED = {**FORECASTING, **CORE, **RESPONSE_TIMES, **DEPLOYMENT}
