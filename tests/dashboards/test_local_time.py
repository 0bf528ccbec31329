"""Pages show each source's own clock: incident times in the source's zone, dates filtered by local day, and the
hour charts say which zones they read."""

import json

import pytest
from django.urls import reverse

from analytics.refresh import analytics_refresh
from ingestion.services import calls_import


@pytest.fixture
def two_zones(db, tmp_path):
    """A Baltimore call late on Sunday 5 November 2023 (New York) and a London call, both with a borough."""
    (tmp_path / "baltimore.csv").write_text(
        "recordId,callDateTime,priority,district,description,callNumber,incidentLocation,location\n"
        'late,11/05/2023 11:30:00 PM,Medium,NORTHERN,AUTO ACCIDENT,P1,,"(39.3, -76.6)"\n'
    )
    mapping = {"source": "london", "id": "id", "time": {"column": "when", "format": "iso", "zone": "Europe/London"},
               "category": "what", "areas": [{"column": "area", "kind": "borough", "prefix": "ldn"}]}  # fmt: skip
    (tmp_path / "mapping.json").write_text(json.dumps(mapping))
    (tmp_path / "london.csv").write_text("id,when,what,area\nuk,2023-11-05T12:00:00+00:00,ASSAULT,Westminster\n")
    calls_import(paths=[tmp_path / "baltimore.csv"])
    calls_import(paths=[tmp_path / "london.csv"], mapping=tmp_path / "mapping.json")
    analytics_refresh(full=True)


def _keys(client, **query) -> list[str]:
    return [row.source_key for row in client.get(reverse("dashboards:incidents"), query).context["incidents"]]


def test_incident_list_shows_each_time_in_its_sources_zone(client_for, two_zones):
    page = client_for("analyst").get(reverse("dashboards:incidents")).content.decode()
    assert "2023-11-05 23:30 EST" in page  # 04:30 UTC on the 6th
    assert "2023-11-05 12:00 GMT" in page


def test_a_date_filter_is_the_local_calendar_day(client_for, two_zones):
    client = client_for("analyst")
    assert sorted(_keys(client, date_from="2023-11-05", date_to="2023-11-05")) == ["late", "uk"]
    assert _keys(client, date_from="2023-11-06", date_to="2023-11-06") == []


def test_the_hour_weekday_heatmap_names_the_zones_it_reads(client_for, two_zones):
    charts = client_for("analyst").get(reverse("dashboards:tactical")).context["charts"]
    (heatmap,) = [chart for chart in charts if chart["id"] == "hour-weekday"]
    assert heatmap["title"].endswith("local time of each source (America/New_York, Europe/London)")
    one = client_for("analyst").get(reverse("dashboards:tactical"), {"source": "london"}).context["charts"]
    assert [chart["title"] for chart in one if chart["id"] == "hour-weekday"][0].endswith(", Europe/London time")


def test_the_heatmap_reads_its_cells_and_their_sources_at_once(client_for, two_zones):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("analyst")
    with CaptureQueriesContext(connection) as captured:
        charts = client.get(reverse("dashboards:tactical"), {"source": "baltimore_911"}).context["charts"]
    (heatmap,) = [chart for chart in charts if chart["id"] == "hour-weekday"]
    assert heatmap["title"].endswith("America/New_York time")
    assert sum(sum(row) for row in heatmap["figure"]["data"][0]["z"]) == 1  # the one Baltimore call
    hour_reads = [q["sql"] for q in captured if "analytics_hourweekday" in q["sql"] and "weekday" in q["sql"]]
    assert len(hour_reads) == 1, hour_reads
