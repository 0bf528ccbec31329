from django.core.management.base import BaseCommand

from investigations import services


class Command(BaseCommand):
    help = "Recompute every investigation action (flags) and store today's trend snapshot."

    def add_arguments(self, parser):
        parser.add_argument(
            "--backfill-days",
            type=int,
            default=0,
            help="Also rebuild this many past days of trend snapshots from the investigations' history",
        )
        parser.add_argument("--no-snapshot", action="store_true", help="Do not store today's snapshot")

    def handle(self, *args, backfill_days, no_snapshot, **options):
        self.stdout.write(f"actions: {services.actions_compute()}")
        if backfill_days:
            self.stdout.write(f"backfilled snapshots: {services.action_counts_backfill(days=backfill_days)}")
        if not no_snapshot:
            self.stdout.write(f"snapshot rows: {services.action_counts_snapshot()}")
