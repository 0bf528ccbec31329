import pytest

from tests.e2e.conftest import save_screenshot

pytestmark = pytest.mark.e2e


def test_supervisor_signs_in_through_the_form_and_lands_on_daily_actions(page, login, role_users, transactional_db):
    login(page, "supervisor")
    assert page.url.endswith("/actions/")
    assert page.problems.blocked == []
    save_screenshot(page, "login-supervisor")
