"""Each role signs in through the real form, lands on its dashboard and sees exactly its navigation;
the dashboards it may not open answer 403 with a page that says why."""

import pytest

from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.e2e

DASHBOARDS = {
    "Strategic": "/dashboards/strategic/",
    "Tactical": "/dashboards/tactical/",
    "Analytical": "/dashboards/analytical/",
    "Daily actions": "/actions/",
    "Imports": "/imports/",
}
NAVIGATION = {
    "admin": ["Strategic", "Tactical", "Analytical", "Daily actions", "Imports", "Admin", "Help", "About the models"],
    "executive": ["Strategic", "Help", "About the models"],
    "commander": ["Strategic", "Tactical", "Daily actions", "Help", "About the models"],
    "analyst": ["Strategic", "Tactical", "Analytical", "Imports", "Help", "About the models"],
    "supervisor": ["Daily actions", "Help", "About the models"],
    "officer": ["Daily actions", "Help", "About the models"],
}
LANDING = {
    "admin": "/dashboards/strategic/",
    "executive": "/dashboards/strategic/",
    "commander": "/dashboards/tactical/",
    "analyst": "/dashboards/analytical/",
    "supervisor": "/actions/",
    "officer": "/actions/",
}


def test_each_role_sees_exactly_its_navigation_and_is_refused_the_rest(
    page, login, live_server, role_users, transactional_db
):
    # One browser session for all six roles (signing out between them) keeps this test quick.
    for role, navigation in NAVIGATION.items():
        login(page, role)
        assert page.url == f"{live_server.url}{LANDING[role]}", role
        assert page.locator("a[data-nav]").evaluate_all("links => links.map(a => a.dataset.nav)") == navigation
        save_screenshot(page, f"navigation-{role}")
        for label, path in DASHBOARDS.items():
            if label not in navigation:
                assert_refused_with_reason(page, f"{live_server.url}{path}")
        page.click("text=Sign out")
        assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert page.problems.blocked == []


def assert_refused_with_reason(page, url: str) -> None:
    response = page.goto(url)
    assert response.status == 403, url
    assert page.locator("h1").inner_text() == "You cannot open this page"
    assert "Your role does not allow this page" in page.locator("p.error").inner_text()
