"""Precompute every dashboard's default view for each scope that signs in, so opening a dashboard is a cache read.

A page's cached body is keyed by role, scope, small-count access, filters and the analytics generation (see
dashboards.pages.cache_key), so one representative user per (role, unit) warms it for everyone who shares them.
The refresh task (after an import, on the hour) runs this before it bumps the generation, on the keys of the new
one (crimedash.caching.bump_generation), so the first visitor after a refresh meets warm pages; beat runs it every
few minutes too, where a view already cached under the current generation costs one cache read.
"""

from collections import Counter
from functools import partial

from django.http import HttpRequest

from accounts.models import User
from crimedash.side_by_side import side_by_side
from dashboards import pages
from dashboards.filters import DashboardFilters

PAGES = ("strategic", "tactical", "analytical")
WARMING_LANES = 2


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
    warmed per page name. The pages render in two lanes side by side (crimedash.side_by_side): one lane's queries
    run while the other's Python does."""
    jobs = [
        (user, page) for user in representative_users() for page in PAGES if user.has_perm(f"dashboards.view_{page}")
    ]
    lanes = [jobs[lane::WARMING_LANES] for lane in range(WARMING_LANES)]
    side_by_side([partial(_pages_render, lane) for lane in lanes if lane])
    warmed = Counter(page for _user, page in jobs)
    return {page: warmed[page] for page in PAGES}


def _pages_render(jobs: list[tuple[User, str]]) -> None:
    for user, page in jobs:
        pages.filter_form_html(user=user, filters=pages.page_filters(page=page, filters=DashboardFilters()))
        pages.page_body(page=page, user=user, filters=DashboardFilters(), request=_request_as(user))
