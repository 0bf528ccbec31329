"""python manage.py import_calls PATH... [--layout auto|short|portal|arcgis] [--mapping FILE] [--json] [--dry-run]"""

from datetime import UTC

from django.core.management.base import CommandError
from django.utils import timezone

from ingestion.lifecycle import lifecycle_described
from ingestion.loader import IncidentRecord, RowError, record_problem
from ingestion.management.commands._importing import ImportCommand
from ingestion.readers import InputError
from ingestion.services import calls_import, calls_preview
from ingestion.taxonomy import category_label

LINKS = ("force_id", "borough_id", "lsoa_id", "neighborhood_id", "post_id", "zip_code_id")


class Command(ImportCommand):
    help = "Import calls for service: Baltimore 911 CSVs in any of their three layouts, or a CAD export + mapping."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--layout", choices=["auto", "short", "portal", "arcgis"], default="auto")
        parser.add_argument("--mapping", help="JSON column mapping of a generic CAD export (docs/cad-mapping.md)")
        parser.add_argument(
            "--dry-run", nargs="?", type=int, const=5, default=None, metavar="ROWS",
            help="print what the first ROWS rows (default 5) of the first file become; nothing is written",
        )  # fmt: skip

    def handle(self, *args, **options):
        if options["dry_run"] is None:
            return super().handle(*args, **options)
        try:
            rows = calls_preview(
                paths=options["paths"], layout=options["layout"], mapping=options["mapping"], count=options["dry_run"]
            )
        except InputError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("\n\n".join(map(row_described, rows)) + "\n\nDry run: nothing was written.")

    def import_runs(self, options, progress):
        return calls_import(
            paths=options["paths"],
            layout=options["layout"],
            mapping=options["mapping"],
            max_error_rate=options["max_error_rate"],
            progress=progress,
        )


def row_described(row: IncidentRecord | RowError) -> str:
    """A few lines saying what one row becomes: its key, local time, category, place and areas, or why it is refused."""
    if isinstance(row, RowError):
        return f"line {row.line_number}: rejected ({row.reason}): {row.raw_text[:100]}"
    problem = record_problem(row, timezone.now())
    if problem:
        return f"line {row.line_number}: rejected ({problem}): id {row.source_key}"
    place = f"({row.latitude:.5f}, {row.longitude:.5f})" if row.latitude is not None else "no coordinates"
    if row.coordinates_dropped:
        place = "coordinates outside the mapping's bounds, dropped"
    areas = ", ".join(f"{link.removesuffix('_id')} {getattr(row, link)}" for link in LINKS if getattr(row, link))
    return "\n".join([
        f"line {row.line_number}: {row.source}:{row.source_key}",
        f"  time      {row.occurred_at.isoformat()} (UTC {row.occurred_at.astimezone(UTC):%Y-%m-%d %H:%M})",
        f"  category  {row.raw_category!r} -> {row.category} ({category_label(row.category)})",
        f"  priority  {row.priority or '-'}; status {row.status or '-'}",
        f"  lifecycle {lifecycle_described(row)}",
        f"  place     {row.location_text or '-'} {place}",
        f"  areas     {areas or '-'}",
    ])  # fmt: skip
