from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from investigations.importer import investigations_import


class Command(BaseCommand):
    help = "Import a records-management export (docs/rms-export.md), then recompute the daily actions."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file, or a directory holding investigations.csv")
        parser.add_argument("--no-recompute", action="store_true", help="Do not recompute actions afterwards")

    def handle(self, *args, path, no_recompute, **options):
        source = Path(path)
        if source.is_dir():
            source = source / "investigations.csv"
        run = investigations_import(path=source, recompute=not no_recompute)
        self.stdout.write(
            f"{run.status}: {run.rows_read} rows read, {run.rows_inserted} inserted, {run.rows_updated} updated, "
            f"{run.rows_duplicate} duplicates, {run.rows_rejected} rejected; {run.stats}"
        )
        for rejected in run.rejected_rows.all()[:20]:
            self.stderr.write(f"line {rejected.line_number}: {rejected.reason}")
        if run.status != run.Status.SUCCEEDED:
            raise CommandError(run.error)
