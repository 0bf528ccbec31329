"""The core analytics API: scoped, filtered, privacy-guarded, and refusing roles without the permission."""

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from analytics.models import Alert
from analytics.refresh import analytics_refresh
from tests.analytics.factories import CAMDEN, LSOA_C1, WESTMINSTER, incidents, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(areas):
    incidents(12, occurred_at=local(2024, 1))
    incidents(7, occurred_at=local(2024, 2), category="robbery")
    incidents(9, occurred_at=local(2024, 1), borough_id=CAMDEN, lsoa_id=LSOA_C1)
    analytics_refresh(full=True)


def _alert(borough: str) -> Alert:
    return Alert.objects.create(
        area_code=borough, level="borough", borough_code=borough, category="burglary", period="month",
        period_start="2024-06-01", observed=50, expected=10, lower=3, upper=19, p_value=1e-9, direction="up",
    )  # fmt: skip


def test_area_comparison_is_scoped_to_the_commanders_bcu(client_for, loaded):
    rows = client_for("commander").get(reverse("analytics-areas")).json()
    assert [row["area_code"] for row in rows] == [WESTMINSTER]
    assert rows[0]["count"] == 19


def test_area_comparison_filters_by_category_and_level(client_for, loaded):
    response = client_for("analyst").get(reverse("analytics-areas"), {"category": "burglary", "level": "lsoa"})
    assert {row["area_code"]: row["count"] for row in response.json()} == {"E01004736": 12, LSOA_C1: 9}


def test_monthly_series_filters_by_date(client_for, loaded):
    data = client_for("executive").get(reverse("analytics-monthly"), {"date_from": "2024-02"}).json()
    assert data["x"] == ["2024-02-01"] and data["y"] == [7]


def test_monthly_counts_endpoint_filters_with_its_filterset(client_for, loaded):
    url = reverse("analytics-monthly-count-list")
    data = client_for("analyst").get(url, {"level": "borough", "area_code": CAMDEN}).json()
    assert [row["count"] for row in data["results"]] == [9]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"date_from": "2024-02"}, [7]),
        ({"date_to": "2024-01", "area": CAMDEN}, [9]),
        ({"area": WESTMINSTER, "category": "robbery"}, [7]),
    ],
)
def test_monthly_counts_take_the_filter_bar_names_every_endpoint_takes(client_for, loaded, query, expected):
    url = reverse("analytics-monthly-count-list")
    data = client_for("analyst").get(url, {"level": "borough", **query}).json()
    assert [row["count"] for row in data["results"]] == expected


@pytest.mark.parametrize("role", ["executive", "supervisor", "officer"])
def test_roles_without_tactical_access_cannot_list_alerts(client_for, role):
    assert client_for(role).get(reverse("analytics-alert-list")).status_code == 403


@pytest.mark.parametrize("role", ["executive", "commander", "supervisor", "officer"])
def test_roles_without_analytical_access_cannot_read_correlations(client_for, role):
    assert client_for(role).get(reverse("analytics-deprivation-correlation")).status_code == 403


def test_anonymous_is_refused(client, db):
    assert client.get(reverse("analytics-kpis")).status_code == 403


def test_commander_acknowledges_own_bcu_alert_through_the_api(client_for):
    alert = _alert(WESTMINSTER)
    response = client_for("commander").post(reverse("analytics-alert-acknowledge", args=[alert.pk]), {"note": "seen"})
    assert response.status_code == 200 and response.json()["state"] == "acknowledged"
    assert AuditEvent.objects.filter(target=f"alert:{alert.pk}").exists()


def test_commander_gets_404_for_another_bcus_alert(client_for):
    alert = _alert(CAMDEN)
    client = client_for("commander")
    assert client.get(reverse("analytics-alert-detail", args=[alert.pk])).status_code == 404
    assert client.post(reverse("analytics-alert-dismiss", args=[alert.pk])).status_code == 404
    alert.refresh_from_db()
    assert alert.state == Alert.State.OPEN


def test_analyst_cannot_acknowledge_alerts(client_for):
    alert = _alert(WESTMINSTER)
    assert client_for("analyst").post(reverse("analytics-alert-acknowledge", args=[alert.pk])).status_code == 403


def test_seasonal_decomposition_answers_404_when_absent(client_for, db):
    response = client_for("analyst").get(reverse("analytics-seasonal"), {"area": WESTMINSTER})
    assert response.status_code == 404


def test_monthly_counts_pages_by_cursor_cover_every_row_once(client_for, loaded, monkeypatch):
    from analytics.api.rollups import RollupCursorPagination
    from analytics.models import MonthlyCount

    monkeypatch.setattr(RollupCursorPagination, "page_size", 2)
    client, url, seen = client_for("analyst"), reverse("analytics-monthly-count-list") + "?level=lsoa", []
    while url:
        page = client.get(url).json()
        assert "count" not in page and len(page["results"]) <= 2
        seen.extend((row["area_code"], row["month"], row["category"], row["count"]) for row in page["results"])
        url = page["next"]
    rows = MonthlyCount.objects.filter(level="lsoa").values_list("area_code", "month", "category", "count")
    expected = [(area, month.isoformat(), category, count) for area, month, category, count in rows]
    assert len(seen) == len(set(seen)) == len(expected) > 2 and set(seen) == set(expected)
