import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from analytics.models import Alert
from ingestion.models import Area


def _alert(borough: str) -> Alert:
    return Alert.objects.create(
        area_code=borough,
        level="borough",
        borough_code=borough,
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


def test_commander_acknowledges_an_alert_in_their_bcu(client_for, db):
    alert = _alert("E09000033")
    response = client_for("commander").post(
        reverse("dashboards:alert_action", args=[alert.pk]), {"action": "acknowledge"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == Alert.State.ACKNOWLEDGED
    assert AuditEvent.objects.filter(target=f"alert:{alert.pk}").exists()


def test_open_alerts_show_on_the_tactical_page_until_dismissed(client_for, db, django_capture_on_commit_callbacks):
    alert = _alert("E09000033")
    client = client_for("commander")
    action = reverse("dashboards:alert_action", args=[alert.pk])
    assert action in client.get(reverse("dashboards:tactical")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(action, {"action": "dismiss"})
    assert action not in client.get(reverse("dashboards:tactical")).content.decode()


def test_commander_cannot_touch_another_bcus_alert(client_for, db):
    alert = _alert("E09000007")
    response = client_for("commander").post(reverse("dashboards:alert_action", args=[alert.pk]), {"action": "dismiss"})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN


@pytest.mark.parametrize("role", ["analyst", "executive", "officer"])
def test_roles_without_the_permission_cannot_acknowledge(client_for, role, db):
    alert = _alert("E09000033")
    response = client_for(role).post(reverse("dashboards:alert_action", args=[alert.pk]), {"action": "acknowledge"})
    assert response.status_code == 403


def test_an_unknown_action_is_a_bad_request(client_for, db):
    alert = _alert("E09000033")
    response = client_for("commander").post(reverse("dashboards:alert_action", args=[alert.pk]), {"action": "delete"})
    assert response.status_code == 400


def test_alerts_name_their_area_and_a_force_wide_alert_says_so(client_for, db):
    _alert("E09000033")
    Alert.objects.filter(pk=_alert("E09000007").pk).update(area_code="", level="force", category="drugs")
    Area.objects.create(code="E09000033", name="Westminster", kind=Area.Kind.BOROUGH)
    page = client_for("analyst").get(reverse("dashboards:tactical")).content.decode()
    assert "Westminster, Jan 2024" in page and "Whole force, Jan 2024" in page
