from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.services import RetentionTooShort, audit_purge


class Command(BaseCommand):
    help = (
        "Delete audit records older than the retention period (default AUDIT_RETENTION_DAYS, "
        "never under AUDIT_RETENTION_FLOOR_DAYS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.AUDIT_RETENTION_DAYS, help="retention in days")

    def handle(self, *args, days: int, **options):
        try:
            deleted = audit_purge(days=days)
        except RetentionTooShort as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Deleted {deleted} audit record(s) older than {days} day(s).")
