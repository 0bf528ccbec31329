import base64
import io
from datetime import timedelta

import qrcode
import qrcode.image.svg
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


def audit_purge(*, days: int) -> int:
    """Delete audit records older than `days` days (the retention period); returns how many were deleted."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
