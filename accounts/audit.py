"""Writing the audit trail. Every service that reads or changes something sensitive calls `audit_event`."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from accounts.models import AuditEvent

ADMIN_FLAGS = {ADDITION: "add", CHANGE: "change", DELETION: "delete"}


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def _storable(value):
    """PostgreSQL text and jsonb refuse NUL characters, which fuzzed or hostile query strings carry."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


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
        username=_storable(username or (user.get_username() if user else ""))[:150],
        action=action,
        target=_storable(target)[:500],
        params=_storable(params or {}),
        ip_address=client_ip(request),
        outcome=outcome,
    )


def latest_admin_log_id() -> int:
    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def admin_changes_audit(*, request, after_id: int) -> None:
    """One audit record per admin LogEntry this request's user wrote after `after_id`."""
    entries = LogEntry.objects.filter(pk__gt=after_id, user_id=request.user.pk).select_related("content_type")
    for entry in entries.order_by("pk"):
        content_type = entry.content_type
        audit_event(
            action=AuditEvent.Action.ADMIN_CHANGE,
            request=request,
            target=f"{content_type.app_label}.{content_type.model}:{entry.object_id}",
            params={
                "change": ADMIN_FLAGS.get(entry.action_flag, ""),
                "object": entry.object_repr,
                "message": entry.get_change_message(),
            },
        )
