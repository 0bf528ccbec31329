from pathlib import Path

from django.core.management.base import BaseCommand

from demo.writer import DemoOptions, demo_files_write


class Command(BaseCommand):
    help = (
        "Write demo data in the real source formats: police-uk.zip (data.police.uk archive), calls.csv (Baltimore "
        "911 layout), cad-incidents.csv (generic CAD export), investigations.csv (RMS export) and reference files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="Folder to write into.")
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply every volume (calls up to 10 million).")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, out: Path, scale: float, seed: int, **options):
        written = demo_files_write(options=DemoOptions(out=out, scale=scale, seed=seed))
        for name, rows in written.items():
            self.stdout.write(f"  {out / name}: {rows:,} rows")
