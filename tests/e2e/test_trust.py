"""Issue 12 in a real Chromium: figures a chief officer can trust. Tiles equal the same figures in their table, every
panel names its period, the area filter reaches every panel (or the panel says why not), each source of calls opens
on its own years, and the header folds into a menu on a phone."""

import datetime as dt
import random
import re

import pytest
from django.utils import timezone

from analytics.refresh import analytics_refresh
from ingestion.models import Incident
from tests.dashboards.factories import CAMDEN, WESTMINSTER, _incident, areas_create, incidents_create
from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.e2e

TILE_COLUMNS = ("recorded", "rate", "resolution_rate", "per_officer", "budget_per_crime")


def _later_cad_calls() -> None:
    """A second dispatch system whose calls start long after the Baltimore export ends (2023-2024)."""
    rng = random.Random(3)
    rows = []
    for index in range(40):
        call = _incident(rng, 50_000 + index, CAMDEN, timezone.make_aware(dt.datetime(2026, 3, 1 + index % 28, 9)),
                         "call", "assault")  # fmt: skip
        call.source, call.priority = "cad_demo", "P1"
        rows.append(call)
    Incident.objects.bulk_create(rows)


@pytest.fixture
def seeded(transactional_db, role_users):
    areas_create()
    incidents_create(per_month=6)
    _later_cad_calls()
    analytics_refresh(full=True)


def _open(page, live_server, path):
    response = page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    assert response.status == 200
    return page


def _panel_titles(page) -> list[str]:
    return page.eval_on_selector_all("#dashboard-body h2.chart-title, #dashboard-body h2[id$=heading]",
                                     "nodes => nodes.map(n => n.textContent.trim())")  # fmt: skip


def test_filtered_strategic_tiles_equal_their_table_and_every_panel_names_the_period(page, login, live_server, seeded):
    login(page, "executive")
    _open(page, live_server, f"/dashboards/strategic/?area={CAMDEN}&date_from=2024-01&date_to=2024-12")
    assert page.input_value("#f-from") == "2024-01" and page.input_value("#f-to") == "2024-12"
    row = page.locator(f"table.efficiency tbody tr[data-area='{CAMDEN}']")
    assert page.locator("table.efficiency tbody tr").count() == 1  # the table follows the area filter
    for key in TILE_COLUMNS:
        tile = page.locator(f".kpi[data-kpi='{key}'] .value").inner_text().strip()
        cell = row.locator(f"td[data-col='{key}']").inner_text().strip()
        assert tile == cell, f"{key}: tile {tile} but table {cell}"
        assert tile != "–", key
    # 72 Camden crimes of 2024 against 600 officers and £50m a financial year (2023/24 for three months, 2024/25
    # for nine: twelve twelfths), not the whole force's officers and budget
    assert page.locator(".kpi[data-kpi='recorded'] .value").inner_text() == "72"
    assert page.locator(".kpi[data-kpi='per_officer'] .value").inner_text() == "0.1"
    assert page.locator(".kpi[data-kpi='budget_per_crime'] .value").inner_text() == "£694,444"
    # 2023 has every month of data, so the change on last year is stated
    assert page.locator(".kpi[data-kpi='change'] .value").inner_text() == "+0.0%"
    titles = _panel_titles(page)
    assert titles and all("Jan 2024 to Dec 2024" in title for title in titles), titles
    save_screenshot(page, "trust-strategic-camden-2024")
    assert page.problems.console_errors == [] and page.problems.blocked == []


def test_a_year_with_months_missing_gives_no_change_on_last_year(page, login, live_server, seeded):
    login(page, "executive")
    _open(page, live_server, "/dashboards/strategic/?date_from=2023-01&date_to=2023-12")  # 2022 holds no data
    assert page.locator(".kpi[data-kpi='change'] .value").inner_text() == "Not enough comparable data"


def test_a_category_filter_says_the_efficiency_tiles_count_all_crime(page, login, live_server, seeded):
    login(page, "executive")
    _open(
        page, live_server, f"/dashboards/strategic/?area={CAMDEN}&date_from=2024-01&date_to=2024-12&category=burglary"
    )
    assert page.locator(".kpi[data-kpi='recorded'] .value").inner_text() == "24"
    assert page.locator(".kpi[data-kpi='per_officer'] .value").inner_text() == "0.1"  # all 72 crimes, not 24
    assert "all crime" in page.locator(".kpi[data-kpi='per_officer'] .label").inner_text()


def test_changing_the_area_changes_every_analytical_panel_or_it_says_why(page, login, live_server, seeded):
    login(page, "analyst")
    _open(page, live_server, "/dashboards/analytical/")
    before = {title.split(",")[0]: title for title in _panel_titles(page)}
    page.select_option("#f-area", WESTMINSTER)
    page.wait_for_url(f"**area={WESTMINSTER}**")
    page.wait_for_function("() => document.querySelector('#panel-deprivation h2').textContent.includes('Westminster')")
    after = _panel_titles(page)
    for title in after:
        if title.startswith(("Calls", "Overdose", "Shift", "Priority")) or re.search("forecast|backtest|Bias", title):
            continue  # calls panels are checked below; forecast panels name the areas they forecast
        if title == "Response times":
            continue  # the section's heading: each of its charts names the areas (checked here too)
        assert "Westminster" in title or "force-wide" in title.lower(), title
        assert title != before.get(title.split(",")[0]), f"unchanged by the area: {title}"
    # the calls of the other system's district are gone: only Westminster's calls remain
    sources = page.eval_on_selector_all(".calls-source", "nodes => nodes.map(n => n.dataset.source)")
    assert sources == ["baltimore_911"]


def test_the_calls_tab_opens_on_each_sources_own_years(page, login, live_server, seeded):
    login(page, "analyst")
    _open(page, live_server, "/dashboards/tactical/")
    headings = page.eval_on_selector_all(".calls-source h3", "nodes => nodes.map(n => n.textContent.trim())")
    assert headings == ["Baltimore 911 calls, Jan 2023 to Dec 2024", "London CAD calls, Mar 2026"], headings
    months = page.evaluate("() => document.querySelector('#panel-calls-type-baltimore_911 .js-plotly-plot').data[0].x")
    assert months[0] == "2023-01" and months[-1] == "2024-12"  # every Baltimore month, not a single point
    priorities = page.evaluate(
        "() => document.querySelector('#panel-calls-priority-baltimore_911 .js-plotly-plot').data[0].x"
    )
    assert "P1" not in priorities  # the other system's codes are never added in
    save_screenshot(page, "trust-tactical-calls-per-source")


def test_a_drill_down_keeps_the_kind_and_the_list_states_its_total(page, login, live_server, seeded):
    login(page, "analyst")
    _open(page, live_server, "/dashboards/strategic/?date_from=2024-01&date_to=2024-12")
    page.evaluate(
        "() => { const gd = document.querySelector('#panel-areas .js-plotly-plot');"
        " gd.emit('plotly_click', {points: [{customdata: gd.data[0].customdata[0]}]}); }"
    )
    page.wait_for_url("**/dashboards/incidents/**")
    assert "kind=crime" in page.url and "date_from=2024-01" in page.url
    total = page.locator(".list-total").get_attribute("data-total")
    assert total == "72"  # one borough's crimes of 2024
    kinds = set(
        page.eval_on_selector_all("#dashboard-body tbody tr td:nth-child(2)", "ns => ns.map(n => n.textContent)")
    )
    assert kinds == {"Crime"}


def test_the_header_folds_into_a_menu_on_a_phone(browser, live_server, login, seeded):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, "executive")
    _open(page, live_server, "/dashboards/strategic/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert not page.locator(".mainnav").is_visible() and not page.locator(".userbox").is_visible()
    page.click(".menu-button")
    assert page.locator(".mainnav").is_visible() and page.locator("text=Sign out").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    save_screenshot(page, "trust-strategic-phone-menu")
    context.close()


def test_the_glossary_defines_every_rate_a_tile_links_to(page, login, live_server, seeded):
    login(page, "executive")
    _open(page, live_server, "/dashboards/strategic/")
    anchors = page.eval_on_selector_all(".kpi a.term", "nodes => nodes.map(n => n.getAttribute('href'))")
    assert len(anchors) == 6
    _open(page, live_server, "/help/")
    for anchor in anchors:
        entry = page.locator(f"dt{re.sub(r'^/help/', '', anchor)}")
        assert entry.count() == 1, anchor
        assert entry.locator("xpath=following-sibling::dd[1]").inner_text().strip()
