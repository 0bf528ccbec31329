"""Demo CAD incidents: a generic (non-Baltimore) dispatch export of the last four months for the five boroughs, with
hour-of-day and weekday structure, medical and proactive calls among the crime, read with
ingestion/data/cad_mapping_demo.json. The borough column carries GSS codes."""

import csv
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from ingestion.demo.context import demand_multipliers
from ingestion.demo.lifecycle import COLUMNS as LIFECYCLE_COLUMNS
from ingestion.demo.lifecycle import lifecycle_cells, lifecycle_times
from ingestion.demo.places import DemoPlaces

HEADER = [
    "IncidentNumber",
    "Created",
    "CallType",
    "Priority",
    "Status",
    "Address",
    "Lat",
    "Lon",
    "Borough",
    "Beat",
    *LIFECYCLE_COLUMNS.values(),
]
# What a force's control room logs: crime and disorder, but also medical calls, self-initiated (proactive) work and
# the odd fire, in the force's own words (read by the shipped taxonomy: medical, business-check, patrol, ...).
CALL_TYPES = [
    ("Assault", 0.14), ("Theft", 0.15), ("Disturbance", 0.12), ("Suspicious person", 0.09),
    ("Road traffic collision", 0.08), ("Burglary", 0.06), ("Domestic", 0.08), ("Concern for welfare", 0.05),
    ("Medical emergency", 0.04), ("Injured person", 0.02), ("Mental health crisis", 0.02),
    ("Business check", 0.04), ("Patrol", 0.04), ("Follow-up enquiry", 0.03), ("Return to station", 0.02),
    ("Fire", 0.01), ("Missing person", 0.01),
]  # fmt: skip
PRIORITIES = ["Emergency", "Priority", "Scheduled", "Resolve without deployment"]
STATUSES = ["Open", "Dispatched", "At scene", "Closed"]
LONDON = ZoneInfo("Europe/London")
# relative demand by hour of day (quiet before dawn, peaks in the evening) and by weekday (Friday, Saturday high)
HOURLY = np.array([5, 4, 3, 2, 2, 2, 3, 4, 5, 6, 6, 7, 7, 7, 7, 8, 8, 9, 9, 9, 9, 8, 7, 6], dtype=float)
WEEKDAY = np.array([0.95, 0.92, 0.95, 1.0, 1.15, 1.2, 1.0])


def cad_csv_write(
    *, path: Path, places: DemoPlaces, now: datetime, seed: int, days: int = 120, per_day: int = 110
) -> int:
    rng = np.random.default_rng(seed + 3)
    times_rng = np.random.default_rng(seed + 5)  # its own stream: the other columns stay as they were
    weights = places.lsoa_weights / places.lsoa_weights.sum()
    types, type_p = zip(*CALL_TYPES, strict=True)
    type_p = np.array(type_p) / sum(type_p)
    end = now.astimezone(LONDON).replace(minute=0, second=0, microsecond=0)
    hours = [end - timedelta(hours=h) for h in range(days * 24, 0, -1)]
    lift = demand_multipliers(days=[h.date() for h in hours], seed=seed)  # events, bank holidays, rain
    rate = np.array([HOURLY[h.hour] * WEEKDAY[h.weekday()] * lift[h.date()] for h in hours])
    counts = rng.poisson(rate / rate.sum() * days * per_day)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        number = 0
        for hour, count in zip(hours, counts, strict=True):
            for _ in range(count):
                number += 1
                row = _row(rng, places, weights, types, type_p, hour, end, number)
                writer.writerow(row + _lifecycle(times_rng, row=row, hour=hour, end=end))
    return number


def _lifecycle(rng, *, row: list, hour: datetime, end: datetime) -> list[str]:
    created = datetime.strptime(row[1], "%d/%m/%Y %H:%M").replace(tzinfo=LONDON)
    times = lifecycle_times(rng, priority=row[3], created=created, busy=HOURLY[hour.hour] / HOURLY.max())
    return lifecycle_cells(times, until=end)


def _row(rng, places: DemoPlaces, weights, types, type_p, hour: datetime, end: datetime, number: int) -> list:
    lsoa = int(rng.choice(len(weights), p=weights))
    lat, lon = places.point_near(rng, lsoa)
    created = hour + timedelta(seconds=int(rng.integers(0, 3600)))
    age_hours = (end - created).total_seconds() / 3600
    status = STATUSES[3] if age_hours > 3 else STATUSES[int(rng.integers(0, 3))]
    beat = f"{places.names[lsoa][:-5]} beat {lsoa % 6 + 1}"
    return [f"CAD{created:%y%m%d}{number:06d}", f"{created:%d/%m/%Y %H:%M}", str(rng.choice(types, p=type_p)),
            PRIORITIES[int(rng.integers(0, 4))], status, f"{places.names[lsoa]} area", f"{lat:.6f}", f"{lon:.6f}",
            places.borough_of[lsoa], beat]  # fmt: skip
