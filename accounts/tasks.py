from celery import shared_task
from django.conf import settings

from accounts.services import audit_purge


@shared_task(name="accounts.tasks.purge_audit")
def purge_audit(days: int | None = None) -> int:
    """Beat's purge. A schedule's arguments cannot shorten retention below the floor: the service refuses."""
    return audit_purge(days=settings.AUDIT_RETENTION_DAYS if days is None else days)
