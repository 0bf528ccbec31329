"""Site-wide response headers and input checks that come before any view."""

from urllib.parse import unquote

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.cache import add_never_cache_headers, patch_cache_control

NOT_KEPT_PREFIXES = ("/static/",)


class BadRequestMiddleware:
    """A NUL character in the path or query string answers 400: the database refuses it in text, so any view
    passing it on would answer 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            return HttpResponseBadRequest("The address holds a NUL character.")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer; answers to signed-in users (pages, exports and
    API reads with data) are never stored by the browser or a proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if _holds_data(request, response):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


def _holds_data(request, response) -> bool:
    """An answer to a signed-in user that has not said how to cache itself (assets such as plotly.js declare a long
    public lifetime and keep it)."""
    user = getattr(request, "user", None)
    return (
        user is not None
        and user.is_authenticated
        and not request.path.startswith(NOT_KEPT_PREFIXES)
        and not response.has_header("Cache-Control")
    )
