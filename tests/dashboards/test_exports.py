import csv
import io
import json

import pytest
from django.urls import reverse

from accounts.models import AuditEvent


def test_csv_export_holds_every_chart_table_and_is_audited(client_for, dashboard_data):
    response = client_for("analyst").get(reverse("dashboards:export", args=["strategic", "csv"]), {"kind": "crime"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Recorded crime by borough / BCU, Jan 2024 to Dec 2024"] in rows
    assert any(row[:1] == ["Westminster"] for row in rows)
    event = AuditEvent.objects.get(action="export")
    assert event.target == "strategic.csv"
    assert event.params["kind"] == ["crime"]


def test_geojson_export_holds_the_map_layers(client_for, dashboard_data):
    response = client_for("analyst").get(reverse("dashboards:export", args=["tactical", "geojson"]))
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert {"incidents", "hotspots"} <= {f["properties"]["layer"] for f in collection["features"]}


@pytest.mark.parametrize("role", ["executive", "commander", "supervisor"])
def test_export_needs_the_export_permission(client_for, role, db):
    response = client_for(role).get(reverse("dashboards:export", args=["strategic", "csv"]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_export_of_a_page_the_role_cannot_open_is_refused(client_for, role_users, db):
    # admin may export and open everything; an analyst may export, but a made-up page is not found.
    response = client_for("analyst").get(reverse("dashboards:export", args=["investigations", "csv"]))
    assert response.status_code == 404


def test_unknown_format_is_not_found(client_for, db):
    assert client_for("analyst").get(reverse("dashboards:export", args=["strategic", "xlsx"])).status_code == 404
