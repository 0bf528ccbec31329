"""What one viewer's request leaves in the cache for others must hold nothing of that viewer: no CSRF token, no
name; and a fragment that shows buttons by permission is kept per permission set, never per role name."""

import pickle

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse

from crimedash.caching import viewer_key

PAGES = ("dashboards:strategic", "dashboards:tactical", "dashboards:analytical", "dashboards:incidents")


def _kept_entries() -> dict[str, str]:
    """Every entry the cache holds, as text, by key: Redis in CI, local memory on SQLite."""
    backend = getattr(cache, "_cache", None)
    if isinstance(backend, dict):  # LocMemCache
        return {key: repr(pickle.loads(value)) for key, value in backend.items()}
    client = cache._cache.get_client()
    return {key.decode(): repr(client.get(key)) for key in client.keys("*")}


@pytest.mark.parametrize("role", ["commander", "analyst"])
def test_nothing_personal_is_kept_where_colleagues_read_it(client_for, role_users, dashboard_data, role):
    client = client_for(role)
    opened = [client.get(reverse(page)).status_code for page in PAGES]
    assert opened.count(200) >= 3, opened  # a commander does not open the analytical page
    token, user = client.cookies["csrftoken"].value, role_users[role]
    # the page frame is kept per user (it names them); everything else is shared by scope and permission set
    shared = {key: text for key, text in _kept_entries().items() if "response:page" not in key}
    assert shared, "the pages kept nothing: this test would prove nothing"
    leaks = [key for key, text in shared.items() if token in text or user.get_username() in text]
    assert not leaks, leaks


def _colleague(commander, name: str):
    colleague = type(commander).objects.create_user(username=name, password="x", unit=commander.unit)
    colleague.groups.set(commander.groups.all())
    return type(commander).objects.get(pk=colleague.pk)  # no permission memo from before the change


def test_kept_results_are_shared_by_permission_set_and_scope_not_by_role(role_users, dashboard_data):
    commander = role_users["commander"]
    same, more = _colleague(commander, "commander-2"), _colleague(commander, "commander-3")
    more.user_permissions.add(Permission.objects.get(codename="export_data"))
    more = type(commander).objects.get(pk=more.pk)
    assert viewer_key(user=same) == viewer_key(user=commander)
    assert viewer_key(user=more) != viewer_key(user=commander), "one more permission, other buttons: another key"
