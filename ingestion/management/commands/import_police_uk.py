"""python manage.py import_police_uk PATH... [--json]: data.police.uk archives (zip, folder, .csv, .csv.gz)."""

from ingestion.management.commands._importing import ImportCommand
from ingestion.services import police_uk_archive_import


class Command(ImportCommand):
    help = "Import data.police.uk street, outcomes and stop-and-search CSVs (zip as downloaded, folder or files)."

    def import_runs(self, options, progress):
        return police_uk_archive_import(
            paths=options["paths"], max_error_rate=options["max_error_rate"], progress=progress
        )
