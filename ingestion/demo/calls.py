"""A realistic Baltimore 911 calls CSV, in any of the three published layouts, fast enough for 10 million rows.

Structure the dashboards should find: more calls in summer and on Friday/Saturday, a daily cycle with a pre-dawn
trough and an evening peak, calls clustered in neighbourhoods (each in its police district, ZIP and post),
description spelling variants, and overdose calls rising year on year. Rows are built in vectorised chunks with
numpy/pandas; the same seed always writes the same file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

CHUNK = 250_000
FIRST_DAY, LAST_DAY = "2019-01-01", "2023-12-31"
LOCAL_ZONE = "America/New_York"

# name, district, ZIP, latitude, longitude, relative call volume
NEIGHBORHOODS = [
    ("Downtown", "CENTRAL", "21202", 39.2904, -76.6122, 9),
    ("Mount Vernon", "CENTRAL", "21201", 39.2977, -76.6155, 6),
    ("Upton", "CENTRAL", "21217", 39.3003, -76.6300, 5),
    ("Fells Point", "SOUTHEAST", "21231", 39.2837, -76.5925, 6),
    ("Canton", "SOUTHEAST", "21224", 39.2790, -76.5780, 4),
    ("Highlandtown", "SOUTHEAST", "21224", 39.2889, -76.5700, 5),
    ("Broadway East", "EASTERN", "21213", 39.3056, -76.5880, 8),
    ("Oliver", "EASTERN", "21213", 39.3080, -76.6010, 6),
    ("Belair-Edison", "NORTHEAST", "21213", 39.3190, -76.5740, 6),
    ("Frankford", "NORTHEAST", "21206", 39.3290, -76.5480, 5),
    ("Hamilton Hills", "NORTHEAST", "21214", 39.3560, -76.5540, 3),
    ("Hampden", "NORTHERN", "21211", 39.3330, -76.6330, 4),
    ("Roland Park", "NORTHERN", "21210", 39.3510, -76.6330, 2),
    ("Waverly", "NORTHERN", "21218", 39.3270, -76.6110, 4),
    ("Park Heights", "NORTHWEST", "21215", 39.3430, -76.6720, 8),
    ("Arlington", "NORTHWEST", "21215", 39.3530, -76.6850, 4),
    ("Sandtown-Winchester", "WESTERN", "21217", 39.3000, -76.6440, 9),
    ("Harlem Park", "WESTERN", "21223", 39.2950, -76.6460, 6),
    ("Edmondson Village", "SOUTHWEST", "21229", 39.2910, -76.6880, 5),
    ("Carroll-South Hilton", "SOUTHWEST", "21229", 39.2790, -76.6740, 4),
    ("Pigtown", "SOUTHERN", "21230", 39.2770, -76.6330, 5),
    ("Cherry Hill", "SOUTHERN", "21225", 39.2470, -76.6200, 6),
    ("Brooklyn", "SOUTHERN", "21225", 39.2330, -76.6000, 4),
]
DISTRICT_NUMBER = {"CENTRAL": 1, "SOUTHEAST": 2, "EASTERN": 3, "NORTHEAST": 4, "NORTHERN": 5, "NORTHWEST": 6,
                   "WESTERN": 7, "SOUTHWEST": 8, "SOUTHERN": 9}  # fmt: skip
# description variants, share of calls, priority weights (Non-Emergency, Low, Medium, High, Emergency)
DESCRIPTIONS = [
    (["911/NO  VOICE", "911/NO VOICE", "911 HANG UP"], 14, (0, 1, 6, 3, 0)),
    (["DISORDERLY", "DISORDERLY PERSON", "LOUD MUSIC"], 11, (1, 5, 4, 0, 0)),
    (["AUTO ACCIDENT", "AUTO ACC/INJURY", "HIT AND RUN"], 8, (0, 2, 5, 3, 0)),
    (["COMMON ASSAULT", "AGG. ASSAULT", "ASSAULT"], 7, (0, 0, 3, 6, 1)),
    (["FAMILY DISTURB", "DOMESTIC DISTURB"], 7, (0, 0, 3, 7, 0)),
    (["SILENT ALARM", "AUDIBLE ALARM", "ALARM"], 6, (0, 5, 5, 0, 0)),
    (["LARCENY", "LARCENY F/AUTO", "SHOPLIFTING"], 6, (2, 6, 2, 0, 0)),
    (["BURGLARY", "BURG. IN PROGRESS"], 3, (0, 2, 4, 4, 0)),
    (["NARCOTICS", "CDS VIOLATION", "NARCOTICSOutside"], 5, (0, 3, 6, 1, 0)),
    (["SUSPICIOUS PERS", "SUSPICIOUS VEHICLE", "TRESPASSING"], 7, (0, 4, 5, 1, 0)),
    (["PROT. ORDER", "*PROTECTIVE ORD", "PROTECTIVE ORDER"], 2, (1, 6, 3, 0, 0)),
    (["DISCHRG FIREARM", "SHOTS FIRED", "SHOOTING"], 2, (0, 0, 0, 3, 7)),
    (["TRAFFIC STOP", "PARKING COMPLAINT", "TOWED VEHICLE"], 9, (6, 4, 0, 0, 0)),
    (["INVESTIGATE", "FOLLOW UP", "OTHER", "REPO"], 8, (3, 5, 2, 0, 0)),
    (["CHECK WELL BEING", "SICK CASE", "MENTAL CASE"], 5, (0, 2, 6, 2, 0)),
]
OVERDOSE = ["OD", "OVERDOSE", "DRUG OVERDOSE", "NARCAN"]
PRIORITIES = np.array(["Non-Emergency", "Low", "Medium", "High", "Emergency", "Out of Service"], dtype=object)
HOUR_WEIGHTS = np.array([5, 4, 3, 2.5, 2, 2, 2.5, 3.5, 4.5, 5, 5.5, 6, 6, 6, 6.2, 6.5, 7, 7.5, 7.8, 8, 7.8, 7.2,
                         6.5, 5.8])  # fmt: skip
WEEKDAY_WEIGHTS = np.array([0.96, 0.95, 0.96, 0.98, 1.06, 1.10, 1.00])  # Monday first
STREETS = ["N CHARLES ST", "E NORTH AV", "W BALTIMORE ST", "GREENMOUNT AV", "PENNSYLVANIA AV", "HARFORD RD",
           "BELAIR RD", "REISTERSTOWN RD", "EDMONDSON AV", "E FAYETTE ST", "W FRANKLIN ST", "S HANOVER ST"]  # fmt: skip

SHORT = ["recordId", "callDateTime", "priority", "district", "description", "callNumber", "incidentLocation",
         "location"]  # fmt: skip
HEADERS = {
    "short": SHORT,
    "portal": [
        *SHORT,
        "ZipCode",
        "Neighborhood",
        "PoliceDistrict",
        "PolicePost",
        "2010 Census Neighborhoods",
        "2010 Census Wards Precincts",
    ],  # fmt: skip
    "arcgis": [
        "recordId",
        "callKey",
        "callDateTime",
        "priority",
        "district",
        "description",
        "callNumber",
        "incidentLocation",
        "location",
        "Neighborhood",
        "PoliceDistrict",
        "PolicePost",
        "CouncilDistrict",
        "SheriffDistricts",
        "Community_Statistical_Areas",
        "Census_Tracts",
        "VRIZones",
        "ZIPCode",
        "NeedsSync",
        "IsDeleted",
        "ESRI_OID",
    ],  # fmt: skip
}


def calls_csv_write(*, path: str | Path, rows: int, seed: int = 7, layout: str = "arcgis") -> int:
    """Write `rows` calls to `path` in `layout` (short, portal or arcgis); returns the number of rows written."""
    if layout not in HEADERS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(HEADERS)}")
    rng = np.random.default_rng(seed)
    days, day_p = _day_weights()
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADERS[layout]) + "\r\n")
        while written < rows:
            size = min(CHUNK, rows - written)
            frame = _chunk(rng, size, written, days, day_p)
            _layout_frame(frame, layout).to_csv(fh, header=False, index=False, lineterminator="\r\n")
            written += size
    return written


def _day_weights() -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    seasonal = 1 + 0.18 * np.sin(2 * np.pi * (days.day_of_year.to_numpy() - 105) / 365.25)  # peak in July
    growth = 1 + 0.03 * (days.year.to_numpy() - days.year[0])
    weights = seasonal * growth * WEEKDAY_WEIGHTS[days.day_of_week.to_numpy()]
    return days, weights / weights.sum()


def _chunk(rng: np.random.Generator, size: int, offset: int, days, day_p) -> pd.DataFrame:
    day = rng.choice(len(days), size=size, p=day_p)
    seconds = rng.choice(24, size=size, p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum()) * 3600 + rng.integers(0, 3600, size)
    local = days[day] + pd.to_timedelta(seconds, unit="s")
    place = rng.choice(len(NEIGHBORHOODS), size=size, p=_normalised([n[5] for n in NEIGHBORHOODS]))
    description, priority = _descriptions(rng, size, local.year.to_numpy())
    lat = np.array([n[3] for n in NEIGHBORHOODS])[place] + rng.normal(0, 0.006, size)
    lon = np.array([n[4] for n in NEIGHBORHOODS])[place] + rng.normal(0, 0.008, size)
    districts = np.array([n[1] for n in NEIGHBORHOODS], dtype=object)[place]
    return pd.DataFrame(
        {
            "record": np.arange(offset, offset + size) + 1_000_000,
            "local": local,
            "priority": priority,
            "district": districts,
            "description": description,
            "neighborhood": np.array([n[0] for n in NEIGHBORHOODS], dtype=object)[place],
            "zip": np.array([n[2] for n in NEIGHBORHOODS], dtype=object)[place],
            "post": [f"{DISTRICT_NUMBER[d]}{p}" for d, p in zip(districts, rng.integers(11, 35, size), strict=True)],
            "address": _addresses(rng, size),
            "lat": lat.round(6),
            "lon": lon.round(6),
            "no_point": rng.random(size) < 0.02,  # address-only locations
        }
    )


def _normalised(weights) -> np.ndarray:
    weights = np.asarray(weights, dtype=float)
    return weights / weights.sum()


def _descriptions(rng: np.random.Generator, size: int, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    group = rng.choice(len(DESCRIPTIONS), size=size, p=_normalised([d[1] for d in DESCRIPTIONS]))
    variant = rng.integers(0, 4, size)
    variants = [DESCRIPTIONS[g][0] for g in group]
    description = np.array([names[v % len(names)] for names, v in zip(variants, variant, strict=True)], dtype=object)
    priority_p = np.array([_normalised(d[2]) for d in DESCRIPTIONS])
    cumulative = priority_p[group].cumsum(axis=1)
    priority = PRIORITIES[(rng.random(size)[:, None] > cumulative).sum(axis=1).clip(0, 4)]
    overdose = rng.random(size) < 0.012 * (1 + 0.45 * (years - 2019))  # rising every year
    description[overdose] = np.array(OVERDOSE, dtype=object)[rng.integers(0, len(OVERDOSE), overdose.sum())]
    priority[overdose] = "High"
    priority[rng.random(size) < 0.004] = "Out of Service"
    return description, priority


def _addresses(rng: np.random.Generator, size: int) -> np.ndarray:
    numbers = (rng.integers(1, 40, size) * 100).astype(str).astype(object)
    return numbers + " " + np.array(STREETS, dtype=object)[rng.integers(0, len(STREETS), size)]


def _layout_frame(frame: pd.DataFrame, layout: str) -> pd.DataFrame:
    point = "(" + frame["lat"].astype(str) + ", " + frame["lon"].astype(str) + ")"
    stamp, location = _stamp_and_location(frame, layout, point)
    record = frame["record"].astype(str)
    columns = {
        "recordId": record,
        "callKey": "BPD" + record,
        "callDateTime": stamp,
        "priority": frame["priority"],
        "district": frame["district"],
        "description": frame["description"],
        "callNumber": "P" + frame["local"].dt.strftime("%y%j") + record.str[-5:],
        "incidentLocation": frame["address"],
        "location": location,
        "Neighborhood": frame["neighborhood"],
        "PoliceDistrict": frame["district"].str.title(),
        "PolicePost": frame["post"],
        "ZIPCode": frame["zip"],
        "ZipCode": frame["zip"],
        "2010 Census Neighborhoods": frame["neighborhood"],
        "NeedsSync": "0",
        "IsDeleted": "False",
        "ESRI_OID": record,
    }
    return pd.DataFrame({name: columns.get(name, "") for name in HEADERS[layout]})


def _stamp_and_location(frame: pd.DataFrame, layout: str, point: pd.Series) -> tuple[pd.Series, pd.Series]:
    if layout == "arcgis":
        utc = (
            frame["local"].dt.tz_localize(LOCAL_ZONE, ambiguous=False, nonexistent="shift_forward").dt.tz_convert("UTC")
        )
        stamp = utc.dt.strftime("%Y/%m/%d %H:%M:%S+00")
        location = point
    else:
        stamp = frame["local"].dt.strftime("%m/%d/%Y %I:%M:%S %p")
        location = frame["address"] + "\nBALTIMORE, MD\n" + point
    location = location.where(~frame["no_point"], frame["address"])
    return stamp, location
