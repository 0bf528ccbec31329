"""python manage.py recategorise [--source SOURCE]: re-derive stored calls' categories, then refresh the rollups."""

from django.core.management.base import BaseCommand

from ingestion.overrides import incidents_recategorise


class Command(BaseCommand):
    help = "Re-apply the category overrides and the shipped taxonomy to stored calls; the analytics refresh follows."

    def add_arguments(self, parser):
        parser.add_argument("--source", default="", help="only the calls of this source (e.g. milwaukee_cfs)")

    def handle(self, *args, source: str, **options):
        run = incidents_recategorise(source=source)
        self.stdout.write(
            f"{run.rows_updated:,} of {run.rows_read:,} calls changed category (run {run.pk}); "
            f"months refreshed: {', '.join(run.months_touched) or 'none'}"
        )
