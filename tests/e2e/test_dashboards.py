"""Each role opens every dashboard it may in a real Chromium: charts with data, maps with layers, working filters,
the briefing PDF, no console errors and nothing fetched from outside the server."""

import pytest

from analytics.forecasting.refresh import forecasting_refresh
from analytics.refresh import analytics_refresh
from tests.dashboards.factories import areas_create, incidents_create
from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.e2e

PAGES = {
    "strategic": "/dashboards/strategic/",
    "tactical": "/dashboards/tactical/",
    "analytical": "/dashboards/analytical/",
}
ALLOWED = {
    "executive": {"strategic"},
    "commander": {"strategic", "tactical"},
    "analyst": {"strategic", "tactical", "analytical"},
}
CHARTS_WITH_DATA = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => ({
    id: gd.dataset.figure,
    traces: gd.data.length,
    points: gd.data.reduce((n, t) => n + ((t.x || t.z || []).length && (t.y || t.z || []).length ? 1 : 0), 0),
}))"""


@pytest.fixture
def seeded(transactional_db, role_users):
    areas_create()
    incidents_create(per_month=6)
    analytics_refresh(full=True)


def _open(page, live_server, path):
    response = page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    return response


def _assert_populated(page):
    charts = page.evaluate(CHARTS_WITH_DATA)
    assert charts, "no Plotly chart on the page"
    empty = [chart["id"] for chart in charts if not chart["traces"] or not chart["points"]]
    assert not empty, f"charts drawn without data: {empty}"
    assert page.locator(".leaflet-container").count() >= 1
    assert page.locator(".leaflet-container .leaflet-interactive, .leaflet-container .cluster").count() > 0


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_role_opens_its_dashboards_populated_and_is_refused_the_others(page, login, live_server, seeded, role):
    if ALLOWED[role] - {"strategic"}:  # tactical and analytical show hotspot runs, forecasts and plans
        forecasting_refresh()
    login(page, role)
    for name, path in PAGES.items():
        if name not in ALLOWED[role]:
            # Through the page's own session, but not as a navigation: a 403 document logs a console error.
            assert page.request.get(f"{live_server.url}{path}").status == 403, f"{role} opened {name}"
            continue
        assert _open(page, live_server, path).status == 200
        _assert_populated(page)
        save_screenshot(page, f"dashboard-{name}-{role}")
    assert page.problems.console_errors == []
    assert page.problems.blocked == []


def test_changing_a_filter_updates_the_url_and_the_charts(page, login, live_server, seeded):
    login(page, "analyst")
    _open(page, live_server, PAGES["strategic"])
    before = page.evaluate("() => document.querySelector('#panel-areas .js-plotly-plot').data[0].y")
    page.select_option("#f-category", "burglary")
    page.wait_for_url("**category=burglary**")
    page.wait_for_function(
        "(before) => { const gd = document.querySelector('#panel-areas .js-plotly-plot');"
        " return gd && gd.data && JSON.stringify(gd.data[0].y) !== JSON.stringify(before); }",
        arg=before,
    )
    after = page.evaluate("() => document.querySelector('#panel-areas .js-plotly-plot').data[0].y")
    assert sum(after) < sum(before)
    assert "category=burglary" in page.get_by_role("link", name="Incident list").get_attribute("href")
    assert page.problems.console_errors == []


def test_clicking_a_bar_drills_down_to_the_incident_list(page, login, live_server, seeded):
    login(page, "analyst")
    _open(page, live_server, PAGES["strategic"])
    # Plotly's drag layer sits over the bars and turns a click at a bar's position into plotly_click.
    box = page.locator("#panel-areas .js-plotly-plot .point path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url("**/dashboards/incidents/**area=**")
    assert page.locator("tbody tr").count() > 0
    save_screenshot(page, "dashboard-incidents-analyst")


def test_executive_downloads_the_briefing_pdf(page, login, live_server, seeded):
    login(page, "executive")
    _open(page, live_server, "/dashboards/strategic/briefing/")
    save_screenshot(page, "dashboard-briefing-executive")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    content = download_info.value.path().read_bytes()
    assert content.startswith(b"%PDF")
    assert content.count(b"/Type /Page") >= 1
    assert page.problems.console_errors == []


def test_a_dispatch_update_appears_in_the_commanders_live_feed_without_reloading(page, login, live_server, seeded):
    """The CAD feed posts through the real service; the open tactical page polls /api/dispatch/recent/ and shows
    the new incident, linked to its page, then its status change in place."""
    from datetime import timedelta

    from django.utils import timezone

    from ingestion.dispatch import dispatch_update_record

    login(page, "commander")  # Westminster only
    _open(page, live_server, PAGES["tactical"])

    def post(status: str) -> None:
        when = timezone.now() + timedelta(seconds=2)
        dispatch_update_record(data={
            "incident_id": "CAD-E2E-1", "updated_at": when, "status": status, "category": "assault",
            "priority": "Emergency", "latitude": 51.512, "longitude": -0.135, "area_code": "E09000033",
        })  # fmt: skip

    post("received")
    item = page.locator("#live-feed li.fresh", has_text="assault")
    item.wait_for(timeout=20_000)
    assert "received" in item.inner_text()
    assert item.get_by_role("link", name="details").count() == 1
    post("dispatched")
    page.locator("#live-feed li.fresh", has_text="dispatched").wait_for(timeout=20_000)
    assert page.locator("#live-feed li.fresh").count() == 1  # replaced in place, not added
    assert page.url.endswith("/dashboards/tactical/")
    assert page.problems.console_errors == []
