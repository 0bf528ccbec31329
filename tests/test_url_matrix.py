"""Role x URL matrix: every URL pattern of the project answers each visitor as declared.

Expectations come from every tests/<app>/url_matrix.py: EXPECTED maps a URL name to the GET status for
"anonymous" and each role, with "kwargs" (a dict, or a function(org) -> dict) for URLs with arguments.
Django admin URLs follow the generic rule of `admin_expectation`, so a new ModelAdmin is covered without
declaring it. A URL that neither declares nor matches a rule fails, and so does an anonymous 200 anywhere
but the login, password reset and health pages.
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse

ROLES = ["admin", "executive", "commander", "analyst", "supervisor", "officer"]
IDENTITIES = ["anonymous", *ROLES]
ANONYMOUS_MAY_OPEN = {
    "login",
    "admin:login",
    "health",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
FORMAT_SUFFIX = "format"  # DRF routers add `<name>.<format>` variants under the same URL name


@dataclass(frozen=True)
class Route:
    name: str | None
    route: str
    callback: object
    kwarg_names: frozenset


def all_patterns(patterns=None, prefix: str = "", namespace: str = "", kwarg_names: frozenset = frozenset()):
    """Every URLPattern of the project, through all includes, with its qualified name and full route."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        names = kwarg_names | frozenset(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from all_patterns(entry.url_patterns, prefix + str(entry.pattern), inner, names)
        else:
            name = entry.name and ":".join(filter(None, [namespace, entry.name]))
            yield Route(name, prefix + str(entry.pattern), entry.callback, names)


def declared_expectations() -> dict:
    merged = {}
    for path in sorted(Path(__file__).parent.glob("*/url_matrix.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.url_matrix")
        for name, row in module.EXPECTED.items():
            assert name not in merged, f"{name} is declared in two url_matrix.py files"
            merged[name] = row
    return merged


def admin_only(status: int, *, others: int = 302) -> dict:
    return {"anonymous": others, **dict.fromkeys(ROLES, others), "admin": status}


def model_admin_for(name: str):
    """(ModelAdmin, view kind) when `name` is one of a registered ModelAdmin's standard views."""
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        kind = name.removeprefix(prefix)
        if name.startswith(prefix) and kind in {"changelist", "add", "change", "delete", "history"}:
            return model_admin, kind
    return None, None


def model_view_expectation(name: str, model_admin, kind: str, admin_user) -> tuple[str, dict]:
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    if kind == "changelist":
        return reverse(name), admin_only(200)
    if kind == "add":
        return reverse(name), admin_only(200 if model_admin.has_add_permission(request) else 403)
    obj = model_admin.model._default_manager.order_by("pk").first()
    if obj is None:  # nothing to open: the admin sends the admin back to its index
        return reverse(name, args=["0"]), admin_only(302)
    allowed = (
        model_admin.has_delete_permission(request, obj)
        if kind == "delete"
        else model_admin.has_view_or_change_permission(request, obj)
    )
    return reverse(name, args=[quote(obj.pk)]), admin_only(200 if allowed else 403)


ADMIN_SITE_VIEWS = {"index": 200, "password_change": 200, "password_change_done": 200, "jsi18n": 200}


def admin_expectation(route: Route, admin_user) -> tuple[str, dict] | None:
    """The generic rule for the Django admin: others are sent to the admin login, the admin role opens it."""
    name = route.name or ""
    kind = name.removeprefix("admin:")
    if kind in ADMIN_SITE_VIEWS:
        return reverse(name), admin_only(ADMIN_SITE_VIEWS[kind])
    if kind == "login":  # a login page: open to anyone, the signed-in admin is sent on to the index
        return reverse(name), admin_only(302, others=200)
    if kind == "logout":  # POST only
        return reverse(name), admin_only(405)
    if kind == "autocomplete":  # refuses a request without its parameters
        return reverse(name), admin_only(403)
    if kind == "app_list":
        return reverse(name, kwargs={"app_label": "accounts"}), admin_only(200)
    if kind == "view_on_site":  # users have no public page
        content_type = ContentType.objects.get_for_model(admin_user)
        return reverse(name, args=[content_type.pk, admin_user.pk]), admin_only(404)
    model_admin, view_kind = model_admin_for(name)
    if model_admin is not None:
        return model_view_expectation(name, model_admin, view_kind, admin_user)
    return unnamed_admin_expectation(route)


def unnamed_admin_expectation(route: Route) -> tuple[str, dict] | None:
    if route.name or not route.route.startswith("admin/"):
        return None
    if getattr(route.callback, "__name__", "") == "catch_all_view":
        return "/admin/no-such-page/", admin_only(404)
    if route.route.endswith("/<path:object_id>/"):  # old-style object URL, redirects to the change view
        return "/" + route.route.replace("<path:object_id>", "1"), admin_only(302)
    return None


def declared_expectation(route: Route, declared: dict, org) -> tuple[str, dict] | None:
    row = declared.get(route.name)
    if row is None:
        return None
    kwargs = row.get("kwargs", {})
    kwargs = dict(kwargs(org) if callable(kwargs) else kwargs)
    if FORMAT_SUFFIX in route.kwarg_names:
        kwargs[FORMAT_SUFFIX] = "json"
    return reverse(route.name, kwargs=kwargs), row


def expectation(route: Route, declared: dict, org, admin_user) -> tuple[str, dict] | None:
    found = declared_expectation(route, declared, org)
    if found is None and (route.name or "").startswith("admin:") or route.name is None:
        found = admin_expectation(route, admin_user)
    return found


def describe(route: Route) -> str:
    return f"{route.name or '(unnamed)'} /{route.route}"


def test_every_url_has_an_expectation(role_users, org):
    declared = declared_expectations()
    missing = [
        describe(route) for route in all_patterns() if expectation(route, declared, org, role_users["admin"]) is None
    ]
    assert not missing, "URLs with no expectation: declare them in tests/<app>/url_matrix.py:\n" + "\n".join(missing)


def test_every_declared_url_exists(db):
    names = {route.name for route in all_patterns()}
    stale = set(declared_expectations()) - names
    assert not stale, f"url_matrix.py declares URL names that do not exist: {sorted(stale)}"


def signed_in(client, role_users, identity: str):
    if identity != "anonymous":
        client.force_login(role_users[identity])
    return client


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_url_answers_as_declared(client, role_users, org, identity):
    client = signed_in(client, role_users, identity)
    declared = declared_expectations()
    wrong = []
    for route in all_patterns():
        found = expectation(route, declared, org, role_users["admin"])
        if found is None:
            wrong.append(f"{describe(route)}: no expectation")
            continue
        url, statuses = found
        status = client.get(url).status_code
        if status != statuses[identity]:
            wrong.append(f"{describe(route)} GET {url}: {status}, expected {statuses[identity]}")
        if identity == "anonymous" and status == 200 and route.name not in ANONYMOUS_MAY_OPEN:
            wrong.append(f"{describe(route)} GET {url}: open to anonymous visitors")
    assert not wrong, f"as {identity}:\n" + "\n".join(wrong)
