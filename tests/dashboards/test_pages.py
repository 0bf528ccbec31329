import pytest
from django.urls import reverse

from accounts.models import AuditEvent

PAGES = ["dashboards:strategic", "dashboards:tactical", "dashboards:analytical"]


def _figures(response) -> dict:
    """Every Plotly figure embedded in the page, by chart id."""
    calls = [chart for section in response.context.get("calls", []) for chart in section["charts"]]
    charts = response.context["charts"] + calls
    return {chart["id"]: chart["figure"] for chart in charts if not chart["empty"]}


@pytest.mark.parametrize(("role", "url_name"), [("admin", p) for p in PAGES] + [("analyst", "dashboards:analytical")])
def test_dashboard_pages_render_charts_with_data(client_for, dashboard_data, role, url_name):
    response = client_for(role).get(reverse(url_name))
    assert response.status_code == 200
    figures = _figures(response)
    assert figures, "no chart has data"
    for figure in figures.values():
        assert any(trace.get("x") or trace.get("z") for trace in figure["data"])
    assert b"js-plotly-plot" not in response.content  # charts are drawn in the browser from embedded JSON
    assert b'class="chart js-chart"' in response.content


def test_strategic_kpis_cover_the_latest_12_months_and_efficiency_comes_from_stored_metrics(client_for, dashboard_data):
    response = client_for("executive").get(reverse("dashboards:strategic"))
    tiles = {tile["key"]: tile for tile in response.context["kpis"]}
    assert tiles["recorded"]["value"] == "288"  # 12 crimes x 12 months x 2 boroughs in 2024, not the 3-year window
    assert tiles["change"]["value"] == "+0.0%"  # against the same 12 months of 2023
    assert tiles["per_officer"]["value"] == "0.2"  # 288 crimes / 1,200 officers of 2024
    assert [item["name"] for item in response.context["efficiency"]] == ["Camden", "Westminster"]


def test_commander_sees_only_westminster(client_for, dashboard_data):
    response = client_for("commander").get(reverse("dashboards:strategic"))
    areas = response.context["charts"][0]
    assert areas["figure"]["data"][0]["x"] == ["Westminster"]
    layer = response.context["map_layers"][0]
    assert [f["properties"]["code"] for f in layer["geojson"]["features"]] == ["E09000033"]
    assert [option["code"] for option in response.context["area_options"]] == ["E09000033"]
    tactical = client_for("commander").get(reverse("dashboards:tactical"))
    assert {incident.borough_id for incident in tactical.context["latest"]} == {"E09000033"}


def test_filters_in_the_url_narrow_the_charts(client_for, dashboard_data):
    client = client_for("analyst")
    everything = client.get(reverse("dashboards:strategic"))
    burglary = client.get(reverse("dashboards:strategic"), {"category": "burglary", "date_from": "2024-01"})
    assert burglary.context["filters"].categories == ("burglary",)
    all_total = sum(everything.context["charts"][0]["figure"]["data"][0]["y"])
    burglary_total = sum(burglary.context["charts"][0]["figure"]["data"][0]["y"])
    assert 0 < burglary_total < all_total
    assert list(burglary.context["charts"][1]["figure"]["data"][0]["x"])[0] == "2024-01"


def test_partial_request_returns_only_the_page_body(client_for, dashboard_data):
    response = client_for("analyst").get(reverse("dashboards:tactical"), HTTP_X_DASHBOARD_PARTIAL="1")
    assert b"<html" not in response.content
    assert b"live-feed" in response.content


def test_bars_drill_down_to_the_filtered_incident_list(client_for, dashboard_data):
    response = client_for("analyst").get(reverse("dashboards:strategic"))
    drill = response.context["charts"][0]["figure"]["data"][0]["customdata"]
    assert "area=E09000033" in drill
    listing = client_for("analyst").get(reverse("dashboards:incidents") + "?" + drill[drill.index("area=E09000033")])
    assert {incident.borough_id for incident in listing.context["incidents"]} == {"E09000033"}


def test_every_chart_has_a_data_table_alternative(client_for, dashboard_data):
    content = client_for("admin").get(reverse("dashboards:tactical")).content.decode()
    visuals = content.count('class="chart js-chart"') + content.count('class="map js-map"')
    assert visuals == content.count('<details class="data-table"><summary>Data table')


def test_page_views_are_audited_with_their_filters(client_for, dashboard_data):
    client_for("executive").get(reverse("dashboards:strategic"), {"category": "robbery"})
    event = AuditEvent.objects.filter(action="view", target="/dashboards/strategic/").latest("id")
    assert event.params == {"category": ["robbery"]}


def test_small_counts_are_hidden_from_roles_without_analyst_access(client_for, dashboard_data):
    query = {"date_from": "2024-03", "date_to": "2024-03", "category": "burglary", "kind": "crime"}
    executive = client_for("executive").get(reverse("dashboards:strategic"), query).context["charts"][0]
    analyst = client_for("analyst").get(reverse("dashboards:strategic"), query).context["charts"][0]
    assert analyst["figure"]["data"][0]["y"] == [3, 3]
    assert executive["figure"]["data"][0]["y"] == [None, None]


def test_strategic_shows_recorded_crime_unless_a_kind_is_chosen(client_for, dashboard_data):
    from dashboards.labels import category_label
    from tests.dashboards.factories import CALL_TYPES, CATEGORIES

    def trend_categories(url):
        charts = client_for("executive").get(url).context["charts"]
        trend = next(chart for chart in charts if chart["id"] == "trends")
        return {trace["name"] for trace in trend["figure"]["data"]}

    assert trend_categories(reverse("dashboards:strategic")) <= {category_label(c) for c in CATEGORIES}
    assert trend_categories(reverse("dashboards:strategic") + "?kind=call") <= {category_label(c) for c in CALL_TYPES}


def test_calls_charts_follow_the_latest_month_of_calls_not_of_crime(client_for, dashboard_data):
    """A CAD export that ends years before the police.uk file still fills the calls charts' default window."""
    import datetime as dt
    import random

    from django.utils import timezone

    from analytics.refresh import analytics_refresh
    from tests.dashboards.factories import WESTMINSTER, _incident

    late = timezone.make_aware(dt.datetime(2027, 6, 3, 14, 5))
    _incident(random.Random(1), 99_999, WESTMINSTER, late, "crime", "burglary").save()
    analytics_refresh(full=True)

    sections = client_for("analyst").get(reverse("dashboards:tactical")).context["calls"]
    charts = {chart["id"]: chart for section in sections for chart in section["charts"]}
    months = charts["calls-type-baltimore_911"]["figure"]["data"][0]["x"]
    assert months[0] == "2023-01" and months[-1] == "2024-12"  # all 24 months of calls, not the last 6
    strategic = client_for("analyst").get(reverse("dashboards:strategic")).context["charts"]
    trend = next(chart for chart in strategic if chart["id"] == "trends")["figure"]["data"][0]["x"]
    assert trend[-1] == "2027-06"


def test_a_chart_whose_every_count_is_hidden_says_so_instead_of_drawing_nothing(client_for, dashboard_data):
    query = {"date_from": "2024-03", "date_to": "2024-03", "category": "burglary", "kind": "crime"}
    executive = client_for("executive").get(reverse("dashboards:strategic"), query)
    assert executive.context["charts"][0]["suppressed"] is True
    assert b"Counts hidden." in executive.content
    analyst = client_for("analyst").get(reverse("dashboards:strategic"), query)
    assert analyst.context["charts"][0]["suppressed"] is False
    assert b"Counts hidden." not in analyst.content


def test_a_total_of_hidden_counts_stays_hidden_rather_than_showing_zero(client_for, dashboard_data):
    def overdose_years(role):
        sections = client_for(role).get(reverse("dashboards:tactical")).context["calls"]
        return next(
            chart for section in sections for chart in section["charts"] if chart["id"].startswith("overdose-year")
        )

    commander, analyst = overdose_years("commander"), overdose_years("analyst")  # 4 overdose calls a month each
    assert commander["figure"]["data"][0]["y"] == [None, None] and commander["suppressed"]
    assert all(value > 0 for value in analyst["figure"]["data"][0]["y"]) and not analyst["suppressed"]


def test_the_live_feed_shows_only_incidents_with_a_time_of_day(client_for, dashboard_data):
    import datetime as dt
    import random

    from django.utils import timezone

    from ingestion.models import Incident
    from tests.dashboards.factories import WESTMINSTER, _incident

    monthly = _incident(random.Random(2), 88_888, WESTMINSTER, timezone.make_aware(dt.datetime(2025, 1, 1)), "crime",
                        "robbery")  # fmt: skip
    monthly.time_precision = Incident.Precision.MONTH
    monthly.save()
    latest = client_for("analyst").get(reverse("dashboards:tactical")).context["latest"]
    assert latest and monthly.pk not in {incident.pk for incident in latest}
    assert {incident.time_precision for incident in latest} == {Incident.Precision.MINUTE}
