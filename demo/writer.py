"""make_demo_data: every demo file in the real source formats, seeded and deterministic for a given end month."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ingestion.demo.cad import LONDON, cad_csv_write
from ingestion.demo.calls import calls_csv_write
from ingestion.demo.context import context_csv_write
from ingestion.demo.places import (
    boroughs_geojson_write,
    demo_places_build,
    deprivation_csv_write,
    population_csv_write,
    resources_csv_write,
)
from ingestion.demo.police_uk import ArchiveSpec, month_list, police_uk_zip_write

MONTHS = 36
CRIMES_PER_MONTH = 1500
STOPS_PER_MONTH = 150
CALLS = 60_000
OPEN_INVESTIGATIONS = 2000


@dataclass(frozen=True)
class DemoOptions:
    out: Path
    scale: float = 1.0
    seed: int = 7
    now: datetime | None = None


def last_full_month(now: datetime) -> str:
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def demo_files_write(*, options: DemoOptions) -> dict[str, int]:
    """Write every demo file into options.out; returns rows written per file."""
    from investigations.demo import investigations_csv_write

    out, now = options.out, options.now or timezone.now()
    out.mkdir(parents=True, exist_ok=True)
    places = demo_places_build(seed=options.seed, boundaries_path=settings.SHARED_DATA_DIR / "london-boroughs.geojson")
    months = month_list(end=last_full_month(now), count=MONTHS)
    spec = ArchiveSpec(
        months, int(CRIMES_PER_MONTH * options.scale), int(STOPS_PER_MONTH * options.scale), options.seed
    )
    boroughs_geojson_write(path=out / "boroughs.geojson", places=places)
    population_csv_write(path=out / "population.csv", places=places)
    deprivation_csv_write(path=out / "deprivation.csv", places=places, seed=options.seed)
    resources_csv_write(path=out / "resources.csv", years=sorted({int(m[:4]) for m in months}), seed=options.seed)
    return {
        "police-uk.zip": police_uk_zip_write(path=out / "police-uk.zip", places=places, spec=spec),
        "calls.csv": calls_csv_write(path=out / "calls.csv", rows=int(CALLS * options.scale), seed=options.seed),
        "cad-incidents.csv": cad_csv_write(path=out / "cad-incidents.csv", places=places, now=now, seed=options.seed),
        "context.csv": context_csv_write(
            path=out / "context.csv", end=now.astimezone(LONDON).date(), seed=options.seed
        ),
        "investigations.csv": investigations_csv_write(
            path=out,
            seed=options.seed,
            open_count=int(OPEN_INVESTIGATIONS * options.scale),
            today=timezone.localdate(now),
        ),
    }
