"""Issue 12 item 10 and issue 18 finding 10 in a real Chromium: a `next` the role may not open lands on the role's
home page; the admin's pages and the API docs run under the strict CSP without a violation."""

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_an_officer_signing_in_through_a_strategic_next_lands_on_actions(page, live_server, transactional_db, password):
    UserFactory(username="browser-officer", role="officer")
    page.goto(f"{live_server.url}/accounts/login/?next=/dashboards/strategic/")
    page.fill("#id_username", "browser-officer")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url == f"{live_server.url}/actions/"
    assert page.problems.console_errors == []


def test_the_admins_periodic_task_form_runs_under_the_csp(page, login, live_server, role_users):
    login(page, "admin")
    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/add/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_task").count() + page.locator("#id_regtask").count() > 0
    assert page.problems.console_errors == []


def test_the_api_docs_run_under_the_csp(page, login, live_server, role_users):
    login(page, "analyst")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_load_state("networkidle")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=20_000)
    assert page.problems.console_errors == []
