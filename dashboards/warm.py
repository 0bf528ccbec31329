"""Precompute every dashboard's default view for each scope that signs in, so opening a dashboard is a cache read.

A page's cached body is keyed by role, scope, small-count access, filters and the analytics generation (see
dashboards.pages.cache_key), so one representative user per (role, unit) warms it for everyone who shares them.
The refresh task (after an import, on the hour) runs this before it bumps the generation, on the keys of the new
one (crimedash.caching.bump_generation), so the first visitor after a refresh meets warm pages; beat runs it every
few minutes too, where a view already cached under the current generation costs one cache read.
"""

from django.http import HttpRequest

from accounts.models import User
from dashboards import pages
from dashboards.filters import DashboardFilters

PAGES = ("strategic", "tactical", "analytical")


def representative_users() -> list[User]:
    """The first active user of each (role, unit): everyone else sharing both sees the same cached pages."""
    chosen: dict[tuple, User] = {}
    for user in User.objects.filter(is_active=True).order_by("pk"):
        chosen.setdefault((user.role, user.unit_id), user)
    return list(chosen.values())


def _request_as(user: User) -> HttpRequest:
    request = HttpRequest()
    request.method = "GET"
    request.user = user
    request.META = {"SERVER_NAME": "warm", "SERVER_PORT": "80"}
    return request


def dashboards_warm() -> dict[str, int]:
    """Render each page a representative user may open, with no filters, and the filter bar over it; returns pages
    warmed per page name."""
    warmed = dict.fromkeys(PAGES, 0)
    for user in representative_users():
        for page in PAGES:
            if user.has_perm(f"dashboards.view_{page}"):
                pages.filter_form_html(user=user, filters=pages.page_filters(page=page, filters=DashboardFilters()))
                pages.page_body(page=page, user=user, filters=DashboardFilters(), request=_request_as(user))
                warmed[page] += 1
    return warmed
