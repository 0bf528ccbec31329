"""The tactical page's live feed in a real Chromium: a call the dispatch system posts appears within 30 s, in users'
words and the source's clock; a feed that has gone quiet says so instead of showing an old list as if it were now."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ingestion.models import DispatchUpdate
from tests.dashboards.factories import areas_create
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def dispatch_system(transactional_db, role_users):
    """The CAD system's account (the dispatch role: it may only post to the feed) and the boroughs it posts into."""
    areas_create()
    user = UserFactory(username="cad-link", role="dispatch")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _post_call(client, key: str, **extra) -> None:
    when = (timezone.now() - timedelta(minutes=2)).replace(microsecond=0)
    body = {"incident_id": key, "updated_at": when.isoformat(), "status": "received", "raw_category": "CARDIAC ARREST",
            "priority": "Emergency", "latitude": 51.5126, "longitude": -0.1337} | extra  # fmt: skip
    response = client.post("/api/dispatch/", body, format="json")
    assert response.status_code == 201, response.content


def test_a_posted_call_reaches_the_open_tactical_page_within_30_seconds(page, login, live_server, dispatch_system):
    login(page, "commander")
    page.goto(f"{live_server.url}/dashboards/tactical/")
    page.wait_for_load_state("networkidle")
    _post_call(dispatch_system, "LIVE-1")
    item = page.locator('#live-feed li.fresh:has-text("Medical")')
    item.wait_for(timeout=30_000)
    assert "GMT" in item.inner_text() or "BST" in item.inner_text()  # the source's clock, as the first items
    assert "stale" not in (page.locator("#feed-status").get_attribute("class") or "")
    assert page.problems.console_errors == []


def test_a_feed_quiet_for_half_an_hour_is_reported_on_the_page(page, login, live_server, dispatch_system):
    _post_call(dispatch_system, "LIVE-2")
    DispatchUpdate.objects.update(received_at=timezone.now() - timedelta(minutes=30))
    login(page, "commander")
    page.goto(f"{live_server.url}/dashboards/tactical/")
    status = page.locator("#feed-status.stale")
    status.wait_for(timeout=30_000)
    assert "No update from the dispatch feed for 30 minutes" in status.inner_text()
