"""Demo data.police.uk archive for the five boroughs of the London case study, in the real archive layout.

Crime is drawn per LSOA with an intensity that grows with the LSOA's deprivation, monthly seasonality per crime
type, two persistent hotspots per borough and a robbery surge in Westminster in the last month, so every analytic
has something true to find.
"""

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingestion.demo.places import DemoPlaces

STREET_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
OUTCOMES_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Outcome type",
]  # fmt: skip
STOP_HEADER = [
    "Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude", "Gender",
    "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation", "Object of search", "Outcome",
    "Outcome linked to object of search", "Removal of more than just outer clothing",
]  # fmt: skip

# crime type -> (share of crime, seasonal amplitude, month of peak)
CRIME_TYPES = {
    "Anti-social behaviour": (0.16, 0.25, 7),
    "Violence and sexual offences": (0.22, 0.15, 7),
    "Other theft": (0.13, 0.10, 11),
    "Theft from the person": (0.09, 0.12, 12),
    "Shoplifting": (0.07, 0.10, 12),
    "Vehicle crime": (0.06, 0.10, 1),
    "Burglary": (0.06, 0.20, 12),
    "Criminal damage and arson": (0.05, 0.10, 10),
    "Public order": (0.05, 0.15, 7),
    "Robbery": (0.04, 0.15, 1),
    "Drugs": (0.03, 0.05, 3),
    "Bicycle theft": (0.02, 0.35, 7),
    "Possession of weapons": (0.01, 0.05, 3),
    "Other crime": (0.01, 0.05, 6),
}
OUTCOMES = [
    ("Investigation complete; no suspect identified", 0.45),
    ("Unable to prosecute suspect", 0.20),
    ("Under investigation", 0.10),
    ("Suspect charged", 0.09),
    ("Awaiting court outcome", 0.05),
    ("Offender given a caution", 0.04),
    ("Local resolution", 0.04),
    ("Further investigation is not in the public interest", 0.03),
]
STOP_OUTCOMES = [
    ("A no further action disposal", 0.7),
    ("Arrest", 0.15),
    ("Community resolution", 0.1),
    ("Penalty Notice for Disorder", 0.05),
]
STREETS = ["High Street", "Station Road", "Church Street", "Park/Open Space", "Supermarket", "Shopping Area",
           "Nightclub", "Petrol Station", "Sports/Recreation Area", "Theatre/Concert Hall", "Hospital"]  # fmt: skip


@dataclass(frozen=True)
class ArchiveSpec:
    months: list[str]
    crimes_per_month: int
    stops_per_month: int
    seed: int


def month_list(*, end: str, count: int) -> list[str]:
    year, month = (int(part) for part in end.split("-"))
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def police_uk_zip_write(*, path: Path, places: DemoPlaces, spec: ArchiveSpec) -> int:
    """Write the archive zip; returns the number of street rows."""
    rng = np.random.default_rng(spec.seed)
    written = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for month_index, month in enumerate(spec.months):
            crimes = _month_crimes(rng, places, spec, month_index)
            written += len(crimes)
            for force, force_crimes in _by_force(crimes, places).items():
                archive.writestr(f"{month}/{month}-{force}-street.csv", _street_csv(force_crimes, month, places))
                outcome_rows = _outcome_rows(rng, force_crimes, month, spec.months)
                archive.writestr(f"{month}/{month}-{force}-outcomes.csv", _csv(OUTCOMES_HEADER, outcome_rows))
            archive.writestr(f"{month}/{month}-metropolitan-stop-and-search.csv", _stops_csv(rng, places, spec, month))
    return written


def _month_crimes(rng, places: DemoPlaces, spec: ArchiveSpec, month_index: int) -> list[tuple]:
    month_number = int(spec.months[month_index][5:])
    growth = 1 + 0.04 * month_index / 12
    rows = []
    for crime_type, (share, amplitude, peak) in CRIME_TYPES.items():
        season = 1 + amplitude * np.cos(2 * np.pi * (month_number - peak) / 12)
        expected = spec.crimes_per_month * share * season * growth
        weights = places.lsoa_weights.copy()
        if crime_type == "Robbery" and month_index == len(spec.months) - 1:
            weights = weights * places.borough_mask("E09000033", boost=3.5)
        count = rng.poisson(expected * weights.sum() / places.lsoa_weights.sum())
        lsoas = rng.choice(len(weights), size=count, p=weights / weights.sum())
        rows.extend((crime_type, int(lsoa)) for lsoa in lsoas)
    return [(crime_type, lsoa, *places.point_near(rng, lsoa)) for crime_type, lsoa in rows]


def _by_force(crimes: list[tuple], places: DemoPlaces) -> dict[str, list[tuple]]:
    grouped: dict[str, list[tuple]] = {}
    for crime in crimes:
        grouped.setdefault(places.force_slug(crime[1]), []).append(crime)
    return grouped


def _crime_id(month: str, crime: tuple, serial: int) -> str:
    return hashlib.sha256(f"{month}|{crime}|{serial}".encode()).hexdigest()


def _street_csv(crimes: list[tuple], month: str, places: DemoPlaces) -> str:
    rows = []
    for serial, crime in enumerate(crimes):
        crime_type, lsoa, lat, lon = crime
        crime_id = "" if crime_type == "Anti-social behaviour" else _crime_id(month, crime, serial)
        outcome = "" if not crime_id else _pick(OUTCOMES, (serial * 7919) % 1000 / 1000)
        rows.append([crime_id, month, *places.force_names(lsoa), f"{lon:.6f}", f"{lat:.6f}",
                     f"On or near {STREETS[serial % len(STREETS)]}", *places.lsoa_code_name(lsoa),
                     crime_type, outcome, ""])  # fmt: skip
    return _csv(STREET_HEADER, rows)


def _outcome_rows(rng, crimes: list[tuple], month: str, months: list[str]) -> list[list]:
    """Outcome rows for about a third of this month's crimes, dated in the month they were recorded."""
    rows = []
    for serial, crime in enumerate(crimes):
        crime_type, lsoa, lat, lon = crime
        if crime_type == "Anti-social behaviour" or rng.random() > 0.35:
            continue
        outcome = _pick(OUTCOMES[:2] + OUTCOMES[3:], rng.random())
        rows.append([_crime_id(month, crime, serial), month, "", "", f"{lon:.6f}", f"{lat:.6f}",
                     f"On or near {STREETS[serial % len(STREETS)]}", "", "", outcome])  # fmt: skip
    return rows


def _stops_csv(rng, places: DemoPlaces, spec: ArchiveSpec, month: str) -> str:
    rows = []
    weights = places.lsoa_weights / places.lsoa_weights.sum()
    for lsoa in rng.choice(len(weights), size=rng.poisson(spec.stops_per_month), p=weights):
        lat, lon = places.point_near(rng, int(lsoa))
        day, hour = int(rng.integers(1, 28)), int(rng.integers(0, 24))
        rows.append(["Person search", f"{month}-{day:02d}T{hour:02d}:{int(rng.integers(0, 60)):02d}:00+00:00", "False",
                     "", f"{lat:.6f}", f"{lon:.6f}", _pick([("Male", 0.85), ("Female", 0.15)], rng.random()),
                     _pick([("18-24", 0.4), ("25-34", 0.35), ("over 34", 0.15), ("10-17", 0.1)], rng.random()),
                     "", "", "Misuse of Drugs Act 1971 (section 23)", "Controlled drugs",
                     _pick(STOP_OUTCOMES, rng.random()), "", "False"])  # fmt: skip
    return _csv(STOP_HEADER, rows)


def _pick(options: list[tuple[str, float]], draw: float) -> str:
    total = sum(weight for _, weight in options)
    cumulative = 0.0
    for value, weight in options:
        cumulative += weight / total
        if draw < cumulative:
            return value
    return options[-1][0]


def _csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
