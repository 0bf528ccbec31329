import pytest
from django.urls import reverse

from accounts.models import AuditEvent


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
