"""Tests that need old audit records make them old through the maintenance door the append-only trigger keeps
(on PostgreSQL the trigger refuses any other UPDATE of a record)."""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AuditEvent


def _maintenance(on: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('crimedash.audit_purge', %s, true)", ["on" if on else "off"])


def audit_age(*, pk: int, days: int) -> None:
    with transaction.atomic():  # the flag is local to a transaction
        _maintenance(True)
        AuditEvent.objects.filter(pk=pk).update(at=timezone.now() - timedelta(days=days))
        _maintenance(False)
