"""Whole answers of read-only GET views, kept rendered in the cache, so a repeated view costs a cache read.

Every key carries the analytics generation (and, for views of live data, the live version), the viewer's role,
scope and small-count access, and the absolute URL: a refresh, a dispatch update or an acknowledged alert makes the
old answers stale at once, and two users see the same cached answer only when they would see the same rows.

A page is kept per user as well (the header names them, the navigation follows their permissions), with a
placeholder where its body goes: the body, the large part, is kept once per scope and put in on every answer. Forms
carry a placeholder where the CSRF token goes, replaced by the requesting user's token on every answer. A request
with flash messages to show is rendered fresh and not kept.
"""

import hashlib
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token

from accounts.backends import PERMISSIONS_VERSION
from crimedash.caching import LIVE, cache_key, cached

CSRF_PLACEHOLDER = "crimedash-csrf-token-placeholder"
BODY_PLACEHOLDER = "crimedash-page-body-placeholder"


def response_key(request, *, part: str, live: bool, personal: bool = False) -> str:
    parts = [request.build_absolute_uri(), _personal_key(request.user) if personal else ""]
    return cache_key(f"response:{part}", parts, user=request.user, versions=(LIVE,) if live else ())


def _personal_key(user) -> str:
    shown = (user.pk, user.get_username(), user.get_full_name(), user.unit_id, user.is_staff, user.is_superuser)
    digest = hashlib.sha1(repr(shown).encode()).hexdigest()[:16]
    return f"{digest}:{PERMISSIONS_VERSION.current()}"


def personal_page(request, *, render: Callable[[], str], body: str = "") -> HttpResponse:
    """The page `render()` returns, kept per user and URL, with `body` put in at BODY_PLACEHOLDER: a large body is
    kept once per scope by whoever builds it, not once per user. A request with flash messages is rendered fresh."""
    if len(get_messages(request)):
        page = render()
    else:
        page = cached(response_key(request, part="page", live=False, personal=True), render)
    return with_csrf_token(request, page.replace(BODY_PLACEHOLDER, body, 1) if body else page)


def with_csrf_token(request, html: str) -> HttpResponse:
    return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def csrf_placeholder() -> dict:
    """Template context that makes `{% csrf_token %}` write the placeholder (it overrides the context processor)."""
    return {"csrf_token": CSRF_PLACEHOLDER}


class CachedReadMixin:
    """For DRF views: a successful GET answered as JSON is kept rendered. `live_data` marks views of live rows."""

    live_data = False

    def cached_json(self, request, build: Callable[[], HttpResponse]) -> HttpResponse:
        renderer = request.accepted_renderer
        if renderer.format != "json":  # the browsable API renders per request
            return build()
        failed = []

        def render() -> bytes | None:
            response = build()
            if response.status_code != 200:
                failed.append(response)
                return None  # not kept
            return renderer.render(response.data, request.accepted_media_type, self.get_renderer_context())

        body = cached(response_key(request, part="api", live=self.live_data), render)
        return failed[0] if failed else HttpResponse(body, content_type=renderer.media_type)

    def list(self, request, *args, **kwargs):
        return self.cached_json(request, lambda: super(CachedReadMixin, self).list(request, *args, **kwargs))

    def retrieve(self, request, *args, **kwargs):
        return self.cached_json(request, lambda: super(CachedReadMixin, self).retrieve(request, *args, **kwargs))
