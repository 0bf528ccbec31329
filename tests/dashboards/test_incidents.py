import pytest
from django.urls import reverse

from ingestion.models import Incident


def test_incident_list_pages_newest_first_with_a_keyset_cursor(client_for, dashboard_data):
    client = client_for("analyst")
    first = client.get(reverse("dashboards:incidents"))
    rows = first.context["incidents"]
    assert len(rows) == 50
    assert [r.occurred_at for r in rows] == sorted((r.occurred_at for r in rows), reverse=True)
    second = client.get(reverse("dashboards:incidents"), {"after": first.context["next_cursor"]})
    assert {r.pk for r in rows}.isdisjoint(r.pk for r in second.context["incidents"])
    assert second.context["incidents"][0].occurred_at <= rows[-1].occurred_at


def test_incident_list_applies_the_dashboard_filters(client_for, dashboard_data):
    query = {"category": "robbery", "kind": "crime", "date_from": "2024-03", "date_to": "2024-03"}
    rows = client_for("analyst").get(reverse("dashboards:incidents"), query).context["incidents"]
    assert rows
    assert {(r.category, r.kind, r.occurred_at.strftime("%Y-%m")) for r in rows} == {("robbery", "crime", "2024-03")}


def test_commander_lists_only_westminster_incidents(client_for, dashboard_data):
    rows = client_for("commander").get(reverse("dashboards:incidents"), {"area": "E09000007"}).context["incidents"]
    assert rows == []
    rows = client_for("commander").get(reverse("dashboards:incidents")).context["incidents"]
    assert {r.borough_id for r in rows} == {"E09000033"}


def test_incident_outside_the_commanders_bcu_is_not_found(client_for, dashboard_data):
    camden = Incident.objects.filter(borough_id="E09000007").first()
    westminster = Incident.objects.filter(borough_id="E09000033").first()
    client = client_for("commander")
    assert client.get(reverse("dashboards:incident", args=[camden.pk])).status_code == 404
    response = client.get(reverse("dashboards:incident", args=[westminster.pk]))
    assert response.status_code == 200
    assert westminster.source_key.encode() in response.content


@pytest.mark.parametrize("role", ["executive", "supervisor", "officer"])
def test_roles_without_incident_access_are_refused(client_for, role, db):
    assert client_for(role).get(reverse("dashboards:incidents")).status_code == 403


def test_a_bad_cursor_starts_from_the_newest(client_for, dashboard_data):
    response = client_for("analyst").get(reverse("dashboards:incidents"), {"after": "not-a-cursor"})
    assert response.status_code == 200
    assert len(response.context["incidents"]) == 50
