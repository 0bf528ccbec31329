"""Daily actions in the browser: a supervisor clears an overdue review and watches its flag and badge go; an
officer cannot open another team's investigation; the commander's roll-up with its trend."""

from datetime import timedelta

import pytest
from django.utils import timezone

from investigations.demo import investigations_csv_write
from investigations.importer import investigations_import
from investigations.services import action_counts_backfill, action_counts_snapshot, actions_compute
from tests.e2e.conftest import save_screenshot
from tests.investigations.factories import InvestigationFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def overdue_reviews(transactional_db, org, role_users):
    """Two team A investigations whose first supervisor review is overdue, and one in team B."""
    allocated = timezone.localdate() - timedelta(days=10)
    made = {
        "own": InvestigationFactory(team=org["westminster-team-a"], officer=role_users["officer"]),
        "team": InvestigationFactory(team=org["westminster-team-a"], officer=role_users["supervisor"]),
        "other_team": InvestigationFactory(team=org["westminster-team-b"]),
    }
    for case in made.values():
        case.allocated_date = allocated
        case.save()
    actions_compute()
    return made


def _badge(page, flag: str) -> int:
    return int(page.locator(f'[data-badge="{flag}"]').first.inner_text())


def test_supervisor_completes_an_overdue_review_and_its_flag_and_badge_go(page, login, live_server, overdue_reviews):
    login(page, "supervisor")
    page.goto(f"{live_server.url}/actions/")
    reviews = page.locator("#reviews tr.action-row")
    assert reviews.count() == 2
    assert reviews.first.locator(".flag.overdue").inner_text() == "Overdue"
    assert _badge(page, "overdue") == 2
    save_screenshot(page, "actions-supervisor-queue")

    row = reviews.filter(has_text=overdue_reviews["team"].crime_reference)
    row.locator("input[name=note]").fill("Lines of enquiry agreed")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert page.url.startswith(f"{live_server.url}/actions/")
    assert "Done: Supervisor review" in page.locator(".messages").inner_text()
    assert _badge(page, "overdue") == 1
    overdue_refs = page.locator('#reviews tr[data-flag="overdue"]').all_inner_texts()
    assert not any(overdue_reviews["team"].crime_reference in text for text in overdue_refs)
    assert page.problems.blocked == []
    save_screenshot(page, "actions-supervisor-after-review")


def test_officer_cannot_open_another_teams_investigation(page, login, live_server, overdue_reviews):
    login(page, "officer")
    page.goto(f"{live_server.url}/actions/")
    assert overdue_reviews["own"].crime_reference in page.locator("#queue").inner_text()
    assert overdue_reviews["team"].crime_reference not in page.content()
    save_screenshot(page, "actions-officer-mine")
    page.locator(f"a:has-text('{overdue_reviews['own'].crime_reference}')").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith(overdue_reviews["own"].crime_reference)
    save_screenshot(page, "actions-investigation")
    response = page.goto(f"{live_server.url}/actions/investigations/{overdue_reviews['other_team'].pk}/")
    assert response.status == 404


def test_commander_sees_the_bcu_rollup_and_its_trend(
    page, login, live_server, transactional_db, org, role_users, tmp_path
):
    today = timezone.localdate()
    investigations_csv_write(path=tmp_path, open_count=300, today=today)
    investigations_import(path=tmp_path / "investigations.csv")
    action_counts_backfill(days=90, today=today)
    action_counts_snapshot(day=today)
    login(page, "commander")
    page.goto(f"{live_server.url}/actions/")
    assert int(page.locator('[data-kpi="overdue"]').inner_text()) > 0
    assert page.locator("svg.trend polyline").count() >= 4
    assert page.problems.blocked == [] and page.problems.console_errors == []
    save_screenshot(page, "actions-commander-rollup")
