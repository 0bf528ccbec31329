"""python manage.py import_reference boundaries|population|deprivation|resources PATH [--json]

Layouts: see ingestion/reference.py (resources: area_code,area_name,year,budget_gbp,officers,staff).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from ingestion.reference import KINDS, ReferenceError, reference_import


class Command(BaseCommand):
    help = "Import borough boundaries (GeoJSON), population, IMD 2019 deprivation or borough resources (CSV)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the totals as one JSON object.")

    def handle(self, *args, kind, path, as_json: bool = False, **options):
        try:
            run = reference_import(kind=kind, path=path)
        except ReferenceError as error:
            raise CommandError(str(error)) from None
        totals = {
            "run_id": run.pk,
            "status": run.status,
            "read": run.rows_read,
            "inserted": run.rows_inserted,
            "updated": run.rows_updated,
            "duplicates": run.rows_duplicate,
            "rejected": run.rows_rejected,
        }
        self.stdout.write(json.dumps(totals) if as_json else "  ".join(f"{k}={v}" for k, v in totals.items()))
