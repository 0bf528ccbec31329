"""Who may open each dashboards URL: expected GET status for anonymous and each role."""

from ingestion.models import Incident
from tests.analytics.url_matrix_deployment import accepted_pilot_in_westminster


def _statuses(allowed: set[str], anonymous: int = 302, denied: int = 403) -> dict:
    roles = ["admin", "executive", "commander", "analyst", "supervisor", "officer"]
    return {"anonymous": anonymous, **{role: 200 if role in allowed else denied for role in roles}}


def westminster_incident(org) -> dict:
    incident = Incident.objects.create(
        source="police_uk",
        source_key="matrix-1",
        kind="crime",
        category="burglary",
        occurred_at="2024-01-01T00:00:00Z",
        time_precision="month",
        borough_id="E09000033",
    )
    return {"pk": incident.pk}


def export_csv(org) -> dict:
    return {"page": "strategic", "fmt": "csv"}


def open_alert_in_westminster(org) -> dict:
    from analytics.models import Alert

    alert = Alert.objects.create(
        area_code="E09000033",
        level="borough",
        borough_code="E09000033",
        category="burglary",
        period="month",
        period_start="2024-01-01",
        observed=30,
        expected=10,
        lower=4,
        upper=16,
        p_value=0.001,
        direction="up",
    )
    return {"pk": alert.pk}


def proposed_plan_in_westminster(org) -> dict:
    from analytics.models import DeploymentPlan

    plan = DeploymentPlan.objects.create(
        borough_code="E09000033",
        shifts=["day"],
        areas=["E09000033"],
        demand={},
        units_available={"day": 1},
        max_imbalance=2.0,
        allocation={},
        metrics={},
    )
    return {"pk": plan.pk}


STRATEGIC = {"admin", "executive", "commander", "analyst"}
EXPECTED = {
    "dashboards:strategic": _statuses(STRATEGIC),
    "dashboards:tactical": _statuses({"admin", "commander", "analyst"}),
    "dashboards:analytical": _statuses({"admin", "analyst"}),
    "dashboards:briefing": _statuses(STRATEGIC),
    "dashboards:briefing_pdf": _statuses(STRATEGIC),
    "dashboards:incidents": _statuses({"admin", "commander", "analyst"}),
    "dashboards:incident": {"kwargs": westminster_incident, **_statuses({"admin", "commander", "analyst"})},
    "dashboards:export": {"kwargs": export_csv, **_statuses({"admin", "analyst"})},
    # POST only: a GET is refused with 405 once the role is allowed.
    "dashboards:alert_action": {
        "kwargs": open_alert_in_westminster,
        **{**_statuses({"admin", "commander"}), "admin": 405, "commander": 405},
    },
    "dashboards:deployment_accept": {
        "kwargs": proposed_plan_in_westminster,
        **{**_statuses({"admin", "commander"}), "admin": 405, "commander": 405},
    },
    "dashboards:pilot": {"kwargs": accepted_pilot_in_westminster, **_statuses({"admin", "commander", "analyst"})},
    "dashboards:plotly_js": _statuses(STRATEGIC | {"supervisor", "officer"}),
    "help": _statuses(STRATEGIC | {"supervisor", "officer"}),  # the glossary: every signed-in role
    "about_the_models": _statuses(STRATEGIC | {"supervisor", "officer"}),  # transparency: every signed-in role
    # each page's panels as JSON: whoever opens the page (API: 403 for anonymous)
    "dashboards-strategic-panels": _statuses(STRATEGIC, anonymous=403),
    "dashboards-tactical-panels": _statuses({"admin", "commander", "analyst"}, anonymous=403),
    "dashboards-analytical-panels": _statuses({"admin", "analyst"}, anonymous=403),
}
