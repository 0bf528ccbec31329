"""data.police.uk archive files (street, outcomes, stop-and-search CSVs) -> the loader's record stream.

Street rows are keyed by Crime ID: a Crime ID repeated in a month file (one line per outcome) is one crime whose
outcome history holds every line. Rows without an ID (anti-social behaviour) and stop-and-search rows have no key of
their own, so they are keyed by a hash of their content plus the occurrence number of that content in the file:
identical rows stay separate incidents and a re-import meets the same keys.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ingestion.loader import AreaRecord, IncidentRecord, OutcomeRecord, RowError
from ingestion.readers import CsvInput, InputError, csv_inputs
from ingestion.sources.keys import content_key
from ingestion.sources.police_uk import (
    SOURCE,
    ZONE,
    borough_code,
    borough_from_lsoa_name,
    category_slug,
    force_code,
    in_bounds,
    origin_for,
)

STREET = ["Crime ID", "Month", "Falls within", "Longitude", "Latitude", "Location", "LSOA code", "LSOA name",
          "Crime type", "Last outcome category"]  # fmt: skip
OUTCOMES = ["Crime ID", "Month", "Outcome type"]
STOPS = ["Type", "Date", "Latitude", "Longitude", "Outcome"]
_STOP_CONTEXT = ("Object of search", "Legislation", "Gender", "Age range", "Officer-defined ethnicity")
_LSOA_CODE = re.compile(r"^[EW]01\d{6}$")
_FORCE_FROM_NAME = re.compile(r"^\d{4}-\d{2}-(?P<force>.+)-(street|outcomes|stop-and-search)\.csv(\.gz)?$")


def file_kind(csv_input: CsvInput) -> str:
    """'street', 'outcomes' or 'stops', from the file name or else the header; checks the needed columns."""
    name = csv_input.file.name.lower()
    header = set(csv_input.header)
    if name.endswith(("-street.csv", "-street.csv.gz")) or "Crime type" in header:
        kind, columns = "street", STREET
    elif name.endswith(("-outcomes.csv", "-outcomes.csv.gz")) or "Outcome type" in header:
        kind, columns = "outcomes", OUTCOMES
    elif "stop-and-search" in name or {"Type", "Date"} <= header:
        kind, columns = "stops", STOPS
    else:
        raise InputError(
            f"{csv_input.file.name}: not a data.police.uk file; expected a street (Crime ID, ..., Crime type), "
            "outcomes (Crime ID, ..., Outcome type) or stop-and-search (Type, Date, ...) CSV"
        )
    csv_input.require(columns, f"data.police.uk {kind}")
    return kind


def archive_check(paths: list[str | Path]) -> Counter:
    """Open every file once before importing, so bad input stops the command before any run starts."""
    return Counter(file_kind(csv_input) for csv_input in csv_inputs(paths))


def incident_rows(paths: list[str | Path]) -> Iterator[IncidentRecord | AreaRecord | RowError]:
    """Street and stop-and-search rows of every file in `paths`."""
    seen_areas: set[str] = set()
    for csv_input in csv_inputs(paths):
        kind = file_kind(csv_input)
        if kind == "street":
            yield from _street_rows(csv_input, seen_areas)
        elif kind == "stops":
            yield from _stop_rows(csv_input)


def outcome_rows(paths: list[str | Path]) -> Iterator[OutcomeRecord | RowError]:
    for csv_input in csv_inputs(paths):
        if file_kind(csv_input) == "outcomes":
            yield from _outcome_rows(csv_input)


def _columns(csv_input: CsvInput) -> dict[str, int]:
    return {name: index for index, name in enumerate(csv_input.header)}


def _month(text: str) -> datetime:
    # Month-precision data sits at midnight UTC on the 1st, the same month in any European or American zone view.
    year, month = text.strip().split("-")
    return datetime(int(year), int(month), 1, tzinfo=UTC)


def _coordinates(latitude: str, longitude: str) -> tuple[float | None, float | None, bool]:
    """(lat, lon, dropped): blank is no location; outside Great Britain is dropped and counted."""
    if not latitude.strip() or not longitude.strip():
        return None, None, False
    lat, lon = float(latitude), float(longitude)
    if not in_bounds(lat, lon):
        return None, None, True
    return lat, lon, False


def _street_rows(csv_input: CsvInput, seen_areas: set[str]) -> Iterator[IncidentRecord | AreaRecord | RowError]:
    col = _columns(csv_input)
    occurrences: Counter = Counter()
    for row in csv_input.rows():
        if isinstance(row, RowError):
            yield row
            continue
        line, fields = row
        try:
            record = _street_record(fields, col, occurrences)
        except ValueError as exc:
            yield RowError(line, ",".join(fields), f"bad value: {exc}")
            continue
        record.line_number = line
        yield from _new_areas(fields, col, record, seen_areas)
        yield record


def _street_record(fields: list[str], col: dict[str, int], occurrences: Counter) -> IncidentRecord:
    crime_id = fields[col["Crime ID"]].strip()
    month = fields[col["Month"]].strip()
    raw_category = fields[col["Crime type"]].strip()
    category = category_slug(raw_category)
    lat, lon, dropped = _coordinates(fields[col["Latitude"]], fields[col["Longitude"]])
    outcome = fields[col["Last outcome category"]].strip()
    lsoa_code = lsoa_code_checked(fields[col["LSOA code"]])
    return IncidentRecord(
        source=SOURCE,
        source_key=crime_id or content_key("asb", fields, occurrences),
        kind="crime" if crime_id and category != "anti-social-behaviour" else "asb",
        category=category,
        raw_category=raw_category,
        occurred_at=_month(month),
        time_precision="month",
        latitude=lat,
        longitude=lon,
        coordinates_dropped=dropped,
        location_text=fields[col["Location"]].strip(),
        force_id=force_code(fields[col["Falls within"]]) if fields[col["Falls within"]].strip() else None,
        borough_id=_borough_of(fields[col["LSOA name"]]),
        lsoa_id=lsoa_code or None,
        outcome=outcome,
        outcome_history=[{"date": month, "category": outcome}] if outcome else [],
        context=fields[col["Context"]].strip() if "Context" in col else "",
        origin=origin_for(category),
        time_zone=ZONE,
    )


def lsoa_code_checked(text: str) -> str:
    """The row's LSOA code (England E01, Wales W01), or blank. Any other code, a borough's E09 for one, is refused:
    a row names its LSOA, and must not rename or re-parent an area of another kind."""
    code = text.strip()
    if code and not _LSOA_CODE.match(code):
        raise ValueError(f"not an LSOA code (E01 or W01 and six digits): {code[:24]!r}")
    return code


def _borough_of(lsoa_name: str) -> str | None:
    name = borough_from_lsoa_name(lsoa_name)
    return borough_code(name) if name else None


def _new_areas(fields: list[str], col: dict[str, int], record: IncidentRecord, seen: set[str]) -> Iterator[AreaRecord]:
    candidates = (
        (record.force_id, lambda: AreaRecord(record.force_id, fields[col["Falls within"]].strip(), "force")),
        (
            record.borough_id,
            lambda: AreaRecord(record.borough_id, borough_from_lsoa_name(fields[col["LSOA name"]]), "borough"),
        ),
        (
            record.lsoa_id,
            lambda: AreaRecord(record.lsoa_id, fields[col["LSOA name"]].strip(), "lsoa", record.borough_id),
        ),
    )
    for code, make in candidates:
        if code and code not in seen:
            seen.add(code)
            yield make()


def _stop_rows(csv_input: CsvInput) -> Iterator[IncidentRecord | RowError]:
    col = _columns(csv_input)
    match = _FORCE_FROM_NAME.match(Path(csv_input.file.name.split("!")[-1]).name)
    prefix = f"stop:{match['force'] if match else 'unknown'}"
    occurrences: Counter = Counter()
    for row in csv_input.rows():
        if isinstance(row, RowError):
            yield row
            continue
        line, fields = row
        try:
            yield _stop_record(fields, col, content_key(prefix, fields, occurrences), line)
        except ValueError as exc:
            yield RowError(line, ",".join(fields), f"bad value: {exc}")


def _stop_record(fields: list[str], col: dict[str, int], key: str, line: int) -> IncidentRecord:
    lat, lon, dropped = _coordinates(fields[col["Latitude"]], fields[col["Longitude"]])
    context = "; ".join(f"{name}: {fields[col[name]]}" for name in _STOP_CONTEXT if name in col and fields[col[name]])
    occurred = datetime.fromisoformat(fields[col["Date"]].strip())
    if occurred.tzinfo is None:
        raise ValueError(f"date without a time zone: {fields[col['Date']]!r}")
    return IncidentRecord(
        source=SOURCE,
        source_key=key,
        kind="stop",
        category="stop-and-search",
        raw_category=fields[col["Type"]].strip(),
        occurred_at=occurred,
        time_precision="minute",
        latitude=lat,
        longitude=lon,
        coordinates_dropped=dropped,
        outcome=fields[col["Outcome"]].strip(),
        context=context,
        origin=origin_for("stop-and-search"),
        time_zone=ZONE,
        line_number=line,
    )


def _outcome_rows(csv_input: CsvInput) -> Iterator[OutcomeRecord | RowError]:
    col = _columns(csv_input)
    for row in csv_input.rows():
        if isinstance(row, RowError):
            yield row
            continue
        line, fields = row
        crime_id, month = fields[col["Crime ID"]].strip(), fields[col["Month"]].strip()
        if not crime_id:
            yield RowError(line, ",".join(fields), "missing id")
            continue
        entry = {"date": month, "category": fields[col["Outcome type"]].strip()}
        yield OutcomeRecord(SOURCE, crime_id, entry, line, ",".join(fields))
