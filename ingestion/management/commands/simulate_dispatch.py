"""python manage.py simulate_dispatch [--dir DIR] [--rate N] [--count N] [--forever]

Replays the demo CAD incidents (DIR/cad-incidents.csv) as a live stream through the dispatch service: each
incident is received, dispatched, on scene and resolved, so the tactical page's live feed moves. A row with lifecycle
columns (the demo's Assigned, EnRoute, Arrived, Cleared) keeps its own response time: its updates are stamped that far
apart, ending now; a row without them is stamped with the current time. `--rate` is updates per second; `--forever`
starts again with fresh incident ids.
"""

import csv
import itertools
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ingestion.demo.lifecycle import COLUMNS, lifecycle_offsets
from ingestion.dispatch import dispatch_update_record

LIFECYCLE = ["received", "dispatched", "on_scene", "resolved"]


def dispatch_stream(rows: list[dict], *, round_number: int):
    """Updates of all incidents, interleaved so several are open at once (each step, one incident apart each)."""
    steps = [
        (index + step * 3, index, status)
        for index, row in enumerate(rows)
        for step, status in enumerate(_statuses(lifecycle_offsets(row)))
    ]
    for _, index, status in sorted(steps):
        yield _payload(rows[index], status, round_number)


def _statuses(offsets: dict) -> list[str]:
    return ["received", *offsets] if offsets else LIFECYCLE


def _payload(row: dict, status: str, round_number: int) -> dict:
    body = {
        "incident_id": f"{row['IncidentNumber']}-r{round_number}" if round_number else row["IncidentNumber"],
        "status": status,
        "raw_category": row.get("CallType", ""),
        "priority": row.get("Priority", ""),
        "location_text": row.get("Address", ""),
    }
    offsets = lifecycle_offsets(row)
    if offsets:  # how long after the call this step came, and the call's whole span (not posted: read by _stamped)
        body["offset"] = offsets.get(status, timedelta(0))
        body["span"] = max(offsets.values())
    if row.get("Lat") and row.get("Lon"):
        body.update(latitude=float(row["Lat"]), longitude=float(row["Lon"]))
    return body


def _stamped(payload: dict, stamp, received: dict) -> dict:
    """The update with its time: `stamp` (now) without lifecycle offsets; else its call's received time plus its
    offset (a second per step keeps a call's updates apart), the call received its whole span before now."""
    offset, span = payload.pop("offset", None), payload.pop("span", None)
    if offset is None:
        return payload | {"updated_at": stamp}
    key = payload["incident_id"]
    if payload["status"] == "received":
        received[key] = stamp - span - timedelta(seconds=len(COLUMNS))
        return payload | {"updated_at": received[key], "occurred_at": received[key]}
    step = list(COLUMNS).index(payload["status"]) + 1
    return payload | {"updated_at": received[key] + offset + timedelta(seconds=step)}


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
        received = {}  # incident id -> when its call was received
        for payload in itertools.islice(stream, count or None):
            # Update times are the key of an update: never repeat one, even when posting faster than 1/s.
            stamp = max(stamp + timedelta(seconds=1), timezone.now().replace(microsecond=0))
            posted += dispatch_update_record(data=_stamped(payload, stamp, received))[1]
            if rate:
                time.sleep(1 / rate)
        self.stdout.write(f"posted {posted} new dispatch updates")
