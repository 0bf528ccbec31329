import csv
import io
import json
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent
from dashboards import exports, pages
from dashboards.filters import filters_from_query


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


@pytest.mark.parametrize("page", ["strategic", "tactical", "analytical"])
def test_each_export_is_what_its_page_shows_for_the_same_filters(client_for, role_users, dashboard_data, page):
    # the exports build only what they give (the map alone, the charts without the map): the same as the whole page
    query = {"kind": "call", "date_from": "2024-03-01", "date_to": "2024-11-30"}
    context = pages.page_context(
        page=page, user=role_users["analyst"], filters=filters_from_query(QueryDict(urlencode(query)))
    )
    url = lambda fmt: reverse("dashboards:export", args=[page, fmt])  # noqa: E731
    collection = json.loads(client_for("analyst").get(url("geojson"), query).content)
    assert collection == json.loads(exports.layers_geojson(context["map_layers"]))
    assert collection["features"] or page == "strategic"  # the strategic map is of crimes: none among calls
    body = client_for("analyst").get(url("csv"), query).content.decode()
    assert body == exports.charts_csv(exports.page_charts(context)) and body


def test_the_map_export_reads_no_chart_and_the_table_export_no_map(client_for, dashboard_data):
    client = client_for("analyst")
    with CaptureQueriesContext(connection) as geojson:
        client.get(reverse("dashboards:export", args=["tactical", "geojson"]))
    with CaptureQueriesContext(connection) as csv_export:
        client.get(reverse("dashboards:export", args=["tactical", "csv"]))
    read = lambda queries, table: any(table in query["sql"] for query in queries)  # noqa: E731
    assert read(geojson, "ingestion_incident") and not read(geojson, "analytics_hourweekday")
    assert read(csv_export, "analytics_hourweekday") and not read(csv_export, "analytics_hotspotcell")


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
