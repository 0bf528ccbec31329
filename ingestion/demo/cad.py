"""Demo CAD incidents (a generic dispatch export); read with ingestion/data/cad_mapping_demo.json."""

import csv
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from ingestion.demo.places import DemoPlaces

HEADER = ["IncidentNumber", "Created", "CallType", "Priority", "Status", "Address", "Lat", "Lon", "Beat"]
CALL_TYPES = [
    ("Assault", 0.18), ("Theft", 0.2), ("Disturbance", 0.16), ("Suspicious person", 0.12),
    ("Road traffic collision", 0.1), ("Burglary", 0.08), ("Domestic", 0.1), ("Concern for welfare", 0.06),
]  # fmt: skip
PRIORITIES = ["Emergency", "Priority", "Scheduled", "Resolve without deployment"]
STATUSES = ["Open", "Dispatched", "At scene", "Closed"]
LONDON = ZoneInfo("Europe/London")


def cad_csv_write(*, path: Path, places: DemoPlaces, now: datetime, seed: int, count: int = 600) -> int:
    rng = np.random.default_rng(seed + 3)
    weights = places.lsoa_weights / places.lsoa_weights.sum()
    types, type_p = zip(*CALL_TYPES, strict=True)
    start = now.astimezone(LONDON) - timedelta(days=2)
    offsets = np.sort(rng.uniform(0, 2 * 86400, size=count))
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for number, offset in enumerate(offsets, start=1):
            lsoa = int(rng.choice(len(weights), p=weights))
            lat, lon = places.point_near(rng, lsoa)
            created = start + timedelta(seconds=float(offset))
            age_hours = (2 * 86400 - offset) / 3600
            status = STATUSES[3] if age_hours > 3 else STATUSES[int(rng.integers(0, 3))]
            writer.writerow([f"CAD{created:%y%m%d}{number:05d}", f"{created:%d/%m/%Y %H:%M}",
                             str(rng.choice(types, p=np.array(type_p) / sum(type_p))),
                             PRIORITIES[int(rng.integers(0, 4))], status, f"{places.names[lsoa]} area",
                             f"{lat:.6f}", f"{lon:.6f}", f"{places.names[lsoa][:-5]} beat {lsoa % 6 + 1}"])  # fmt: skip
    return count
