"""python manage.py import_category_overrides FILE: a force's own words, one `raw_description,category` per row."""

from django.core.management.base import BaseCommand, CommandError

from ingestion.overrides import overrides_import
from ingestion.readers import InputError


class Command(BaseCommand):
    help = (
        "Import category overrides from a CSV with columns raw_description, category and optionally source (blank "
        "for every source) and note. Stored calls keep their category until `manage.py recategorise` runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file")

    def handle(self, *args, path: str, **options):
        try:
            created, updated = overrides_import(path=path)
        except InputError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{created} overrides created, {updated} updated. Run `manage.py recategorise` to apply them."
        )
