"""Issue 18 finding 3 in a real Chromium: under the site's strict Content-Security-Policy the dashboards still draw
their charts and maps with no CSP violation, and an area named `City <img src=x onerror=alert(1)>` shows as text in
its map tooltip instead of running."""

import pytest

from analytics.refresh import analytics_refresh
from ingestion.models import Area
from tests.dashboards.factories import areas_create, incidents_create

pytestmark = pytest.mark.e2e

PAYLOAD = "City <img src=x onerror=alert(1)>"
OPEN_EVERY_TOOLTIP = """() => {
  const texts = [];
  document.querySelectorAll('.js-map').forEach(node => {
    node._crimedashMap.eachLayer(layer => {
      if (layer.getTooltip && layer.getTooltip()) {
        layer.openTooltip();
        texts.push(layer.getTooltip().getElement().textContent);
      }
    });
  });
  return texts;
}"""


@pytest.fixture
def hostile_area_name(transactional_db, role_users):
    areas_create()
    borough = Area.objects.filter(kind=Area.Kind.BOROUGH).order_by("code").first()
    Area.objects.filter(pk=borough.pk).update(name=PAYLOAD)
    incidents_create(per_month=6)
    analytics_refresh(full=True)


@pytest.mark.parametrize("path", ["/dashboards/strategic/", "/dashboards/analytical/"])
def test_a_script_in_an_area_name_does_not_run_and_the_page_draws_under_the_csp(
    page, login, live_server, hostile_area_name, path
):
    messages, dialogs = [], []
    page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, "analyst")
    response = page.goto(f"{live_server.url}{path}")
    page.wait_for_load_state("networkidle")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator(".js-plotly-plot").count() > 0
    assert page.locator(".leaflet-container .leaflet-interactive").count() > 0
    tooltips = page.evaluate(OPEN_EVERY_TOOLTIP)
    page.wait_for_timeout(300)
    assert any(PAYLOAD in text for text in tooltips), tooltips
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert dialogs == []
    assert [m for m in messages if "Content Security Policy" in m or m.startswith("error")] == []
    assert page.problems.blocked == []
