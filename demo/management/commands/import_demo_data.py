import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

import ingestion
from analytics.signals import imports_before_full_refresh
from demo.forecasts import demo_forecasts_run

DATA_DIR = Path(ingestion.__file__).resolve().parent / "data"  # the shipped CAD mappings


def demo_steps(folder: Path) -> list[tuple[str, list[str]]]:
    """Every demo file through the real importers, reference data first, then the analytics and the actions."""
    return [
        ("import_reference", ["boundaries", str(folder / "boroughs.geojson")]),
        ("import_reference", ["population", str(folder / "population.csv")]),
        ("import_reference", ["deprivation", str(folder / "deprivation.csv")]),
        ("import_reference", ["resources", str(folder / "resources.csv")]),
        ("import_police_uk", [str(folder / "police-uk.zip")]),
        ("import_calls", [str(folder / "calls.csv")]),
        ("import_calls", [str(folder / "cad-incidents.csv"), "--mapping", str(DATA_DIR / "cad_mapping_demo.json")]),
        ("import_investigations", [str(folder / "investigations.csv")]),
        ("import_context", [str(folder / "context.csv")]),
        ("refresh_analytics", ["--full"]),
        ("detect_trends", []),
        ("compute_actions", ["--backfill-days", "90"]),
    ]


class Command(BaseCommand):
    help = "Import the files of make_demo_data through the real importers, then refresh analytics and actions."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, required=True)
        parser.add_argument(
            "--forecasts-in-worker",
            action="store_true",
            help="leave the forecasting chain to the worker (make demo: scripts/serve_demo.sh enqueues it)",
        )

    def handle(self, *args, dir: Path, forecasts_in_worker: bool = False, **options):
        if not (dir / "police-uk.zip").exists():
            raise CommandError(f"{dir} holds no demo data: run `python manage.py make_demo_data --out {dir}` first.")
        started = time.monotonic()
        # The imports refresh nothing of their own: the steps end in `refresh_analytics --full`, which covers them all.
        with imports_before_full_refresh():
            for command, arguments in demo_steps(dir):
                title = f"{command} {' '.join(arguments)}"
                self._step(title, call_command, command, *arguments, stdout=self.stdout, stderr=self.stderr)
        if forecasts_in_worker:
            self.stdout.write("The forecasting chain is left to the worker: `manage.py demo_forecasts --enqueue`.")
        else:
            self.stdout.write(str(self._step("demo.forecasts.demo_forecasts_run", demo_forecasts_run)))
        self.stdout.write(self.style.SUCCESS(f"Demo data imported in {time.monotonic() - started:.0f} s"))

    def _step(self, title: str, do, *args, **kwargs):
        self.stdout.write(self.style.MIGRATE_HEADING(f"== {title}"))
        started = time.monotonic()
        result = do(*args, **kwargs)
        self.stdout.write(f"   ({time.monotonic() - started:.1f} s)")
        return result
