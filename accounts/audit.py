"""Writing the audit trail. Every service that reads or changes something sensitive calls `audit_event`."""

from accounts.models import AuditEvent


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def audit_event(
    *,
    action: str,
    request=None,
    user=None,
    username: str = "",
    target: str = "",
    params: dict | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
) -> AuditEvent:
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        user=user,
        username=username or (user.get_username() if user else ""),
        action=action,
        target=target[:500],
        params=params or {},
        ip_address=client_ip(request),
        outcome=outcome,
    )
