"""Calls for service from any CAD export, described by a `CallSpec`; Baltimore's layouts are specs too.

A mapping file (JSON) turns any force's calls CSV into a spec; docs/cad-mapping.md documents every key, and
ingestion/data/cad_mapping_*.json are examples (a London CAD, Milwaukee police calls, Montgomery County 911):

    {"source": "cad_example",                        source name of the Incidents
     "id": "IncidentNumber",                         column holding the unique id; a list of columns whose values
                                                     together are unique; or null: a hash of the row's fields plus
                                                     its occurrence number in the file
     "time": {"column": "Created", "format": "%d/%m/%Y %H:%M", "zone": "Europe/London"}   (format "iso" for ISO 8601)
     "category": "CallType", "priority": "Priority", "status": "Status", "location": "Address",
     "latitude": "Lat", "longitude": "Lon",          or "point": "Location" holding "(lat, lon)"
     "areas": [{"column": "Beat", "kind": "post", "prefix": "cad-post"}],
     "context": "Notes",                             free text kept with the incident
     "dispatched": "Assigned", "en_route": "Enroute", "on_scene": "Arrived", "cleared": "Cleared"
                                                     lifecycle times, read like "time" (or {"column", "format"})
     "bounds": [south, north, west, east]}           coordinates outside are dropped (and counted)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from ingestion.lifecycle import LIFECYCLE_FIELDS, STEPS
from ingestion.loader import AreaRecord, IncidentRecord, RowError
from ingestion.readers import CsvInput, InputError
from ingestion.sources.keys import content_key
from ingestion.sources.police_uk import slug
from ingestion.taxonomy import categoriser

_POINT = re.compile(r"\(\s*(-?\d+(?:\.\d*)?)\s*,\s*(-?\d+(?:\.\d*)?)\s*\)")
PRIORITIES = {
    p.lower(): p for p in ("Non-Emergency", "Low", "Medium", "High", "Emergency", "Out of Service")
}  # fmt: skip


@dataclass(frozen=True)
class AreaColumn:
    column: str
    kind: str  # Area.Kind value: district, neighborhood, post, zip...
    prefix: str  # code prefix, e.g. "bal-district"
    link: str  # IncidentRecord field: borough_id, neighborhood_id, post_id, zip_code_id
    parent_link: str | None = None  # link whose code is this area's parent


@dataclass
class CallSpec:
    source: str
    id_columns: tuple[str, ...]  # () = no id column: a hash of the row's fields plus its occurrence in the file
    time_column: str
    time_parser: Callable[[str], datetime]
    category_column: str
    priority_column: str | None = None
    status_column: str | None = None
    address_column: str | None = None
    point_column: str | None = None  # "(lat, lon)", possibly after an address on earlier lines
    latitude_column: str | None = None
    longitude_column: str | None = None
    areas: list[AreaColumn] = field(default_factory=list)
    bounds: tuple[float, float, float, float] | None = None
    context_column: str | None = None
    time_zone: str = ""  # IANA zone of the export's times; '' = the site's TIME_ZONE
    # Incident lifecycle field (dispatched_at ...) -> (column, parser); empty when the export records none
    lifecycle: dict[str, tuple[str, Callable[[str], datetime]]] = field(default_factory=dict)
    # time_parser over a whole pyarrow column: UTC timestamps, null where a row needs time_parser itself (an unusual
    # form, an impossible or ambiguous time); None = this spec is read row by row
    vector_times: Callable | None = None

    def columns(self) -> list[str]:
        named = [*self.id_columns, self.time_column, self.category_column, self.priority_column, self.status_column,
                 self.address_column, self.point_column, self.latitude_column, self.longitude_column,
                 self.context_column, *(column for column, _parser in self.lifecycle.values())]  # fmt: skip
        return [c for c in named if c] + [a.column for a in self.areas]


@lru_cache(maxsize=1024)
def priority_name(text: str) -> str:
    text = text.strip()
    return PRIORITIES.get(text.lower(), text)


def point_of(text: str) -> tuple[float, float] | None:
    match = _POINT.search(text)
    return (float(match[1]), float(match[2])) if match else None


def address_of(location: str) -> str:
    """First line of a multi-line location ('400 WINSTON AV\\nBALTIMORE, MD\\n(39.3, -76.6)'), unless only a point."""
    first = location.strip().split("\n", 1)[0].strip()
    return "" if _POINT.fullmatch(first) else first


class CallRows:
    """Turns the rows of one CSV into call Incidents (and the Areas they name) according to a spec."""

    def __init__(self, spec: CallSpec, csv_input: CsvInput):
        self.spec = spec
        self.input = csv_input
        index = {name: i for i, name in enumerate(csv_input.header)}
        self.col = {name: index[name] for name in spec.columns()}
        self.seen_areas: set[str] = set()
        self.seen_combinations: set[tuple] = set()  # most rows repeat a known set of area codes: one lookup
        self.occurrences: Counter = Counter()  # of each row content, for exports without an id column
        self.category = categoriser(source=spec.source)

    def __iter__(self) -> Iterator[IncidentRecord | AreaRecord | RowError]:
        return self.rows_of(self.input.rows())

    def rows_of(self, rows: Iterable) -> Iterator[IncidentRecord | AreaRecord | RowError]:
        """What rows ((line, fields) or RowError) of this file become, in order."""
        for row in rows:
            if isinstance(row, RowError):
                yield row
                continue
            line, fields = row
            try:
                record = self.record(fields)
            except ValueError as exc:
                yield RowError(line, ",".join(fields), str(exc))
                continue
            record.line_number = line
            combination = (record.borough_id, record.neighborhood_id, record.post_id, record.zip_code_id)
            if combination not in self.seen_combinations:
                self.seen_combinations.add(combination)
                yield from self.new_areas(record, fields)
            yield record

    def value(self, fields: list[str], column: str | None) -> str:
        return fields[self.col[column]].strip() if column else ""

    def key(self, fields: list[str]) -> str:
        if not self.spec.id_columns:
            return content_key("row", fields, self.occurrences)
        parts = [self.value(fields, column) for column in self.spec.id_columns]
        if all(parts):
            return "|".join(parts)
        if len(parts) == 1:
            raise ValueError("missing id")
        blank = [column for column, part in zip(self.spec.id_columns, parts, strict=True) if not part]
        raise ValueError(f"missing id ({', '.join(blank)} blank)")

    def record(self, fields: list[str]) -> IncidentRecord:
        spec, value = self.spec, self.value
        key = self.key(fields)
        stamp = fields[self.col[spec.time_column]]
        try:
            occurred = spec.time_parser(stamp)
        except (ValueError, OverflowError):
            raise ValueError(f"impossible date: {stamp!r}") from None
        description = fields[self.col[spec.category_column]].strip()
        lat, lon, dropped = self.coordinates(fields)
        record = IncidentRecord(
            spec.source,
            key,
            "call",
            self.category(description),
            occurred,
            "minute",
            raw_category=description,
            latitude=lat,
            longitude=lon,
            coordinates_dropped=dropped,
            location_text=value(fields, spec.address_column) or address_of(value(fields, spec.point_column)),
            priority=priority_name(value(fields, spec.priority_column)),
            status=value(fields, spec.status_column),
            context=value(fields, spec.context_column),
            origin="public_report",
            time_zone=spec.time_zone,
        )
        for area in spec.areas:
            name = fields[self.col[area.column]].strip()
            setattr(record, area.link, self.area_code(area.prefix, name) if name else None)
        for name, (column, parser) in spec.lifecycle.items():
            setattr(record, name, self.lifecycle_time(fields, column, parser, name))
        return record

    def lifecycle_time(self, fields: list[str], column: str, parser, name: str) -> datetime | None:
        stamp = self.value(fields, column)
        try:
            return parser(stamp) if stamp else None
        except (ValueError, OverflowError):
            raise ValueError(f"impossible {STEPS[name]} time: {stamp!r}") from None

    @staticmethod
    @lru_cache(maxsize=16_384)
    def area_code(prefix: str, name: str) -> str:
        # an empty prefix means the column already holds official area codes (GSS codes such as E09000033)
        return f"{prefix}:{name.upper()}" if prefix else name.upper()

    def coordinates(self, fields: list[str]) -> tuple[float | None, float | None, bool]:
        if self.spec.point_column:
            point = point_of(self.value(fields, self.spec.point_column))
        else:
            lat, lon = self.value(fields, self.spec.latitude_column), self.value(fields, self.spec.longitude_column)
            point = (float(lat), float(lon)) if lat and lon else None
        if point is None:
            return None, None, False
        south, north, west, east = self.spec.bounds or (-90, 90, -180, 180)
        if not (south <= point[0] <= north and west <= point[1] <= east):
            return None, None, True
        return point[0], point[1], False

    def new_areas(self, record: IncidentRecord, fields: list[str]) -> Iterator[AreaRecord]:
        for area in self.spec.areas:
            code = getattr(record, area.link)
            # official codes (no prefix) name areas that reference data owns: link to them, never rename them
            if code and area.prefix and code not in self.seen_areas:
                self.seen_areas.add(code)
                parent = getattr(record, area.parent_link) if area.parent_link else None
                yield AreaRecord(code, self.value(fields, area.column).title(), area.kind, parent)


# --- mapping files ---------------------------------------------------------------------------------------

_LINKS = {"district": "borough_id", "borough": "borough_id", "bcu": "borough_id", "neighborhood": "neighborhood_id",
          "post": "post_id", "zip": "zip_code_id", "lsoa": "lsoa_id"}  # fmt: skip


def time_parser(fmt: str, zone: str) -> Callable[[str], datetime]:
    """Parser of local times in `zone` (`fmt` a strptime format or "iso"); times with an offset keep theirs."""
    tz = ZoneInfo(zone)

    def parse(text: str) -> datetime:
        moment = datetime.fromisoformat(text) if fmt == "iso" else datetime.strptime(text, fmt)
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)

    return parse


def spec_from_mapping(path: str | Path) -> CallSpec:
    """A CallSpec from a JSON mapping file; a bad file stops with a message naming it and what is expected."""
    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
        time = mapping["time"]
        zone = time.get("zone") or settings.TIME_ZONE
        return CallSpec(
            source=slug(mapping.get("source", "cad")).replace("-", "_"),
            id_columns=_id_columns(mapping["id"]),
            time_column=time["column"],
            time_parser=time_parser(time.get("format", "iso"), zone),
            time_zone=zone,
            category_column=mapping["category"],
            priority_column=mapping.get("priority"),
            status_column=mapping.get("status"),
            address_column=mapping.get("location"),
            point_column=mapping.get("point"),
            latitude_column=mapping.get("latitude"),
            longitude_column=mapping.get("longitude"),
            areas=[_area_column(area) for area in mapping.get("areas", [])],
            bounds=tuple(mapping["bounds"]) if mapping.get("bounds") else None,
            context_column=mapping.get("context"),
            lifecycle=_lifecycle_columns(mapping, time.get("format", "iso"), zone),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: not a usable CAD mapping ({type(exc).__name__}: {exc}); expected JSON with at least "
            '"id" (a column, a list of columns, or null when the export has none), "time": {"column", "format", '
            '"zone"} and "category" (see docs/cad-mapping.md)'
        ) from None


def _lifecycle_columns(mapping: dict, fmt: str, zone: str) -> dict:
    """The optional lifecycle keys ("dispatched": column, or {"column", "format"}), read in the calls' zone."""
    columns = {}
    for name in LIFECYCLE_FIELDS:
        given = mapping.get(name.removesuffix("_at"))
        if isinstance(given, str):
            given = {"column": given}
        if given:
            columns[name] = (given["column"], time_parser(given.get("format", fmt), zone))
    return columns


def _id_columns(id_spec: str | list[str] | None) -> tuple[str, ...]:
    if id_spec is None:
        return ()
    columns = (id_spec,) if isinstance(id_spec, str) else tuple(id_spec)
    if not columns or not all(isinstance(c, str) and c for c in columns):
        raise ValueError(f'"id" must be a column name or a list of column names, not {id_spec!r}')
    return columns


def _area_column(area: dict) -> AreaColumn:
    kind = area["kind"]
    if kind not in _LINKS:
        column = area.get("column")
        raise ValueError(f"unknown area kind {kind!r} for column {column!r}; valid kinds: {', '.join(_LINKS)}")
    return AreaColumn(area["column"], kind, area.get("prefix", f"cad-{kind}"), _LINKS[kind])
