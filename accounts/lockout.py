"""Lockout policy: AXES_FAILURE_LIMIT failed logins for one username within AXES_FAILURE_WINDOW_MINUTES.

django-axes counts every failure since the last reset and, with AXES_COOLOFF_TIME=None, keeps a reached lockout
until an admin releases it. It has no notion of a window, so this handler first forgets the failures that fell
out of the window (their times come from the audit trail, which records each failed login), then lets axes count.
A username that is already locked keeps its lockout whatever the clock says.
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from accounts.models import AuditEvent


def failures_within_window(*, username: str, now) -> int:
    since = now - timedelta(minutes=settings.AXES_FAILURE_WINDOW_MINUTES)
    return AuditEvent.objects.filter(
        action=AuditEvent.Action.LOGIN_FAILED, outcome=AuditEvent.Outcome.FAILED, username=username, at__gte=since
    ).count()


def is_locked(*, username: str) -> bool:
    counted = AccessAttempt.objects.filter(username=username).aggregate(total=Sum("failures_since_start"))["total"]
    return (counted or 0) >= settings.AXES_FAILURE_LIMIT


def stale_failures_forget(*, username: str, now) -> None:
    """Make axes' count for `username` the number of its failures inside the window."""
    attempts = AccessAttempt.objects.filter(username=username).order_by("-attempt_time")
    counted = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    # Never more than axes counted: failures before an unlock or a successful login stay forgotten.
    recent = min(counted, failures_within_window(username=username, now=now))
    if recent == counted:
        return
    newest = attempts.first()
    attempts.exclude(pk=newest.pk).delete()
    if recent:
        AccessAttempt.objects.filter(pk=newest.pk).update(failures_since_start=recent)
    else:
        newest.delete()


class WindowedLockoutHandler(AxesDatabaseHandler):
    """AxesDatabaseHandler that counts only the failures of the last AXES_FAILURE_WINDOW_MINUTES.

    It marks the request `lockout_already_held` when the attempt met an existing lockout, so the audit trail
    records the moment of locking once and each later refusal as a denied login."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        username = get_client_username(request, credentials) if request is not None else None
        if username:
            request.lockout_already_held = is_locked(username=username)
            if not request.lockout_already_held:
                stale_failures_forget(username=username, now=timezone.now())
        super().user_login_failed(sender, credentials, request=request, **kwargs)
