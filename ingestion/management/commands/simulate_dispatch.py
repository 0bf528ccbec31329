"""python manage.py simulate_dispatch [--dir DIR] [--rate N] [--count N] [--forever]

Replays the demo CAD incidents (DIR/cad-incidents.csv) as a live stream through the dispatch service: each
incident is received, dispatched, on scene and resolved, stamped with the current time so the tactical page's
live feed moves. `--rate` is updates per second; `--forever` starts again with fresh incident ids.
"""

import csv
import itertools
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ingestion.dispatch import dispatch_update_record

LIFECYCLE = ["received", "dispatched", "on_scene", "resolved"]


def dispatch_stream(rows: list[dict], *, round_number: int):
    """Updates of all incidents, interleaved so several are open at once (four steps, one incident apart each)."""
    steps = [
        (index + step * 3, index, status) for index, row in enumerate(rows) for step, status in enumerate(LIFECYCLE)
    ]
    for _, index, status in sorted(steps):
        yield _payload(rows[index], status, round_number)


def _payload(row: dict, status: str, round_number: int) -> dict:
    body = {
        "incident_id": f"{row['IncidentNumber']}-r{round_number}" if round_number else row["IncidentNumber"],
        "status": status,
        "raw_category": row.get("CallType", ""),
        "priority": row.get("Priority", ""),
        "location_text": row.get("Address", ""),
    }
    if row.get("Lat") and row.get("Lon"):
        body.update(latitude=float(row["Lat"]), longitude=float(row["Lon"]))
    return body


class Command(BaseCommand):
    help = "Post a realistic stream of CAD incidents and status changes through the live dispatch service."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, default=settings.DEMO_DATA_DIR)
        parser.add_argument("--rate", type=float, default=2.0, help="Updates per second (0: as fast as possible).")
        parser.add_argument("--count", type=int, default=0, help="Stop after this many updates (0: one pass).")
        parser.add_argument("--forever", action="store_true")

    def handle(self, *args, dir: Path, rate: float, count: int, forever: bool, **options):
        path = dir / "cad-incidents.csv"
        if not path.exists():
            raise CommandError(f"{path} not found: run `python manage.py make_demo_data --out {dir}` first.")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
        rounds = itertools.count() if forever else range(1)
        stream = itertools.chain.from_iterable(dispatch_stream(rows, round_number=n) for n in rounds)
        posted, stamp = 0, timezone.now().replace(microsecond=0) - timedelta(hours=1)
        for payload in itertools.islice(stream, count or None):
            # Update times are the key of an update: never repeat one, even when posting faster than 1/s.
            stamp = max(stamp + timedelta(seconds=1), timezone.now().replace(microsecond=0))
            posted += dispatch_update_record(data=payload | {"updated_at": stamp})[1]
            if rate:
                time.sleep(1 / rate)
        self.stdout.write(f"posted {posted} new dispatch updates")
