"""Daily actions on a phone (390 px wide): the queue, the upcoming view, an investigation and the roll-up fit the
screen with no horizontal scroll; a time-limit action is closed by recording the charge, not by a note."""

from datetime import timedelta

import pytest
from django.utils import timezone

from investigations.demo import investigations_csv_write
from investigations.importer import investigations_import
from investigations.models import Investigation
from investigations.services import action_counts_snapshot, actions_compute
from tests.e2e.conftest import save_screenshot
from tests.investigations.factories import CustodyEventFactory, InvestigationFactory, SuspectFactory

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def officer_cases(transactional_db, org, role_users):
    """An uncharged summary offence with a suspect who failed to surrender, linked to another of the officer's."""
    today = timezone.localdate()
    case = InvestigationFactory(
        team=org["westminster-team-a"], officer=role_users["officer"], offence_class="summary", offence="harassment"
    )
    other = InvestigationFactory(team=org["westminster-team-a"], officer=role_users["officer"])
    case.linked_crimes.add(other)
    suspect = SuspectFactory(investigation=case, name="Ray Wanted")
    CustodyEventFactory(suspect=suspect, kind="arrest", occurred_on=today - timedelta(days=9))
    CustodyEventFactory(suspect=suspect, kind="failed_to_surrender", occurred_on=today - timedelta(days=2))
    actions_compute()
    return case


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide: {page.evaluate(WIDEST)}"


def test_officer_pages_fit_a_phone_and_a_charge_closes_the_time_limit(page, login, live_server, officer_cases):
    page.set_viewport_size(PHONE)
    login(page, "officer")
    page.goto(f"{live_server.url}/actions/investigations/{officer_cases.pk}/")
    _fits(page)
    assert "Failed to surrender: Ray Wanted" in page.content()
    save_screenshot(page, "actions-phone-investigation")
    page.goto(f"{live_server.url}/actions/")
    _fits(page)
    assert "Linked:" in page.locator("#queue").inner_text()
    save_screenshot(page, "actions-phone-officer-queue")
    row = page.locator('#queue tr[data-kind="time_limit"]')
    row.locator("select[name=evidence]").select_option("charge")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "Done: Statutory time limit" in page.locator(".messages").inner_text()
    assert page.locator('#queue tr[data-kind="time_limit"]').count() == 0
    assert Investigation.objects.get(pk=officer_cases.pk).custody_events.filter(kind="charge").exists()

    page.goto(f"{live_server.url}/actions/upcoming/?days=90")
    _fits(page)
    save_screenshot(page, "actions-phone-upcoming")
    page.goto(f"{live_server.url}/actions/investigations/{officer_cases.pk}/")
    assert "Failed to surrender: Ray Wanted" not in page.content()  # charged since: no longer wanted
    assert page.problems.blocked == [] and page.problems.console_errors == []


def test_supervisor_and_commander_pages_fit_a_phone(page, login, live_server, officer_cases, tmp_path):
    today = timezone.localdate()
    investigations_csv_write(path=tmp_path, open_count=120, today=today)
    investigations_import(path=tmp_path / "investigations.csv")
    action_counts_snapshot(day=today)
    page.set_viewport_size(PHONE)
    login(page, "supervisor")
    page.goto(f"{live_server.url}/actions/")
    _fits(page)
    assert page.locator("details.close-reason").count() > 0
    save_screenshot(page, "actions-phone-supervisor-queue")
    page.context.clear_cookies()
    login(page, "commander")
    page.goto(f"{live_server.url}/actions/")
    _fits(page)
    assert "do not show the full workload of officers" in page.locator("[data-caveat]").inner_text()
    assert page.locator("#surge").count() == 1
    save_screenshot(page, "actions-phone-commander-rollup")
    assert page.problems.blocked == [] and page.problems.console_errors == []
