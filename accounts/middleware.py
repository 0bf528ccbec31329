"""Session lifetime and two-factor enforcement."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from accounts.roles import ADMIN, SERVICE_ROLES

SESSION_STARTED_KEY = "_crimedash_started"
SESSION_SEEN_KEY = "_crimedash_seen"


def session_expired(session, now: float) -> bool:
    started = session.get(SESSION_STARTED_KEY, now)
    seen = session.get(SESSION_SEEN_KEY, now)
    return now - seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT


def session_clock_start(session, now: float) -> None:
    """Called at sign-in, so the idle clock runs from the login itself."""
    session[SESSION_STARTED_KEY] = session[SESSION_SEEN_KEY] = now


SEEN_RESOLUTION_SECONDS = 60


class SessionExpiryMiddleware:
    """Logs out after SESSION_IDLE_TIMEOUT seconds idle or SESSION_ABSOLUTE_TIMEOUT seconds after login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            if session_expired(request.session, now):
                logout(request)
                # The login page says why (messages are not available this early in the middleware chain).
                return redirect(f"{reverse('login')}?{urlencode({'next': request.path, 'expired': 1})}")
            request.session.setdefault(SESSION_STARTED_KEY, now)
            # Recorded to the minute: writing the session on every request would cost a database write per page.
            if now - request.session.get(SESSION_SEEN_KEY, 0) >= SEEN_RESOLUTION_SECONDS:
                request.session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


def two_factor_required(user) -> bool:
    """Service accounts (which sign in with a token only, and can only post to the feed) have no second factor."""
    if user.role in SERVICE_ROLES and not user.is_superuser:
        return False
    if settings.TWO_FACTOR_REQUIRED_FOR_ALL:
        return True
    return settings.TWO_FACTOR_REQUIRED_FOR_ADMINS and (user.is_superuser or user.role == ADMIN)


class TwoFactorRequiredMiddleware:
    """Sends users who must use two-factor to enrol or verify before anything else opens."""

    EXEMPT_PREFIXES = ("/accounts/", "/static/", "/health/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and two_factor_required(user)
            and not user.is_verified()
        ):
            return redirect(f"{reverse('accounts:two_factor')}?next={request.path}")
        return self.get_response(request)


AUDITED_PAGE_PREFIXES = ("/dashboards/", "/actions/", "/imports/", "/admin/")
UNAUDITED_API_PREFIXES = ("/api/schema/", "/api/docs/")
# Scripts served by views (plotly.js) and the admin's translation catalogue are not page views.
UNAUDITED_SUFFIXES = (".js", "/jsi18n/")


def audit_action_for(request, response) -> str | None:
    """Which audit action a finished request is, if any: page views (the admin's included) and API reads by
    signed-in users."""
    if request.method != "GET" or not request.user.is_authenticated:
        return None
    path = request.path
    if path.endswith(UNAUDITED_SUFFIXES):
        return None
    if path.startswith(AUDITED_PAGE_PREFIXES):
        return "view"
    if path.startswith("/api/") and not path.startswith(UNAUDITED_API_PREFIXES):
        return "api_read"
    return None


def is_admin_write(request) -> bool:
    return (
        request.method == "POST" and request.user.is_authenticated and request.path.startswith(reverse("admin:index"))
    )


class AuditMiddleware:
    """One audit record per dashboard view (with its filters), per API read and per admin change:
    who, what, where from, outcome. Admin changes are read from the admin's own LogEntry rows, which every
    ModelAdmin writes (bulk deletions included), so new admin modules are covered without registering anything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from accounts.audit import admin_changes_audit, audit_event, latest_admin_log_id

        admin_mark = latest_admin_log_id() if is_admin_write(request) else None
        response = self.get_response(request)
        action = audit_action_for(request, response)
        if action:
            outcome = "success" if response.status_code < 400 else "denied"
            params = {key: request.GET.getlist(key) for key in request.GET}
            audit_event(action=action, request=request, target=request.path, params=params, outcome=outcome)
        if admin_mark is not None:
            admin_changes_audit(request=request, after_id=admin_mark)
        return response
