"""python manage.py import_calls PATH... [--layout auto|short|portal|arcgis] [--mapping FILE] [--json]"""

from ingestion.management.commands._importing import ImportCommand
from ingestion.services import calls_import


class Command(ImportCommand):
    help = "Import calls for service: Baltimore 911 CSVs in any of their three layouts, or a CAD export + mapping."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--layout", choices=["auto", "short", "portal", "arcgis"], default="auto")
        parser.add_argument("--mapping", help="JSON column mapping of a generic CAD export")

    def import_runs(self, options, progress):
        return calls_import(
            paths=options["paths"],
            layout=options["layout"],
            mapping=options["mapping"],
            max_error_rate=options["max_error_rate"],
            progress=progress,
        )
