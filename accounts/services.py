import base64
import io
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import audit_event
from accounts.models import AuditEvent, User


def two_factor_device_for(*, user: User) -> tuple[TOTPDevice, bool]:
    """The user's confirmed TOTP device, or a pending one to enrol (second value True while enrolling)."""
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed:
        return confirmed, False
    pending, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "Authenticator app"})
    return pending, True


def two_factor_verify(*, request, token: str) -> bool:
    device, enrolling = two_factor_device_for(user=request.user)
    ok = token.strip().isdigit() and device.verify_token(token.strip())
    if ok:
        if enrolling:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        otp_login(request, device)
    audit_event(
        action=AuditEvent.Action.TWO_FACTOR,
        request=request,
        target="enrol" if enrolling else "verify",
        outcome=AuditEvent.Outcome.SUCCESS if ok else AuditEvent.Outcome.FAILED,
    )
    return ok


def totp_qr_svg(*, device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


class RetentionTooShort(ValueError):
    """A purge asked to delete audit records younger than the force's legal minimum."""


def audit_purge(*, days: int, user: User | None = None) -> int:
    """Delete audit records older than `days` days (the retention period, never under AUDIT_RETENTION_FLOOR_DAYS);
    returns how many were deleted. The purge itself is audited."""
    floor = settings.AUDIT_RETENTION_FLOOR_DAYS
    if not isinstance(days, int) or isinstance(days, bool) or days < floor:
        audit_event(action=AuditEvent.Action.PURGE, user=user, params={"days": str(days)}, outcome="denied")
        raise RetentionTooShort(f"Audit records are kept at least {floor} days; refused a purge of {days!r} days.")
    cutoff = timezone.now() - timedelta(days=days)
    deleted = _audit_delete_before(cutoff=cutoff, floor=floor)
    audit_event(action=AuditEvent.Action.PURGE, user=user, params={"days": days, "deleted": deleted})
    return deleted


def _audit_delete_before(*, cutoff, floor: int) -> int:
    if connection.vendor == "postgresql":
        # The append-only trigger lets rows go only through this function, which checks the floor again.
        with connection.cursor() as cursor:
            cursor.execute("SELECT accounts_auditevent_purge(%s, %s)", [cutoff, floor])
            return cursor.fetchone()[0]
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


def address_throttled(*, ip_address: str | None) -> bool:
    """Too many failed logins from one address lately, whatever usernames they tried (staff behind one station NAT
    stay well under the limit; a password-spraying client does not). Counted from the audit trail, so it holds
    without Redis and across processes."""
    if not ip_address:
        return False
    since = timezone.now() - timedelta(minutes=settings.LOGIN_ADDRESS_WINDOW_MINUTES)
    failures = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED, ip_address=ip_address, at__gte=since)
    return failures[: settings.LOGIN_ADDRESS_FAILURE_LIMIT].count() >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
