import pytest
from django.urls import reverse

from accounts.models import AuditEvent

LOCKOUT_HANDLER = "accounts.lockout.WindowedLockoutHandler"


@pytest.fixture(autouse=True)
def windowed_lockout(settings):
    """The lockout policy's handler (AXES_HANDLER in crimedash/settings.py names the same class)."""
    settings.AXES_HANDLER = LOCKOUT_HANDLER


@pytest.fixture
def sign_in(client):
    """sign_in(username, password) posts the real login form and returns the response."""

    def _sign_in(username: str, password: str, *, follow: bool = False):
        return client.post(reverse("login"), {"username": username, "password": password}, follow=follow)

    return _sign_in


@pytest.fixture
def audit_actions():
    def _actions(**filters) -> list[str]:
        return list(AuditEvent.objects.filter(**filters).order_by("pk").values_list("action", flat=True))

    return _actions


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Sign-in tests hash many passwords; the production hasher's cost is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
