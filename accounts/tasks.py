from celery import shared_task
from django.conf import settings

from accounts.services import audit_purge


@shared_task(name="accounts.tasks.purge_audit")
def purge_audit(days: int | None = None) -> int:
    return audit_purge(days=days or settings.AUDIT_RETENTION_DAYS)
