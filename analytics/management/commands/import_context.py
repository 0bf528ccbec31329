from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analytics.temporal import context_import
from crimedash.caching import bump_generation


class Command(BaseCommand):
    help = "Load contextual daily series (weather, events, school terms) from a CSV of name,date,value[,label]."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        try:
            count = context_import(path=path)
        except (KeyError, ValueError) as error:
            raise CommandError(f"{path}: expected columns name,date,value[,label]: {error}") from error
        bump_generation()
        self.stdout.write(f"Loaded {count} rows from {path}")
