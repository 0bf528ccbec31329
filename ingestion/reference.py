"""Reference data imports: borough boundaries, population, deprivation (IMD 2019) and borough resources.

Each import is one ImportRun; a bad line becomes a RejectedRow with its line number and reason and the run goes on.
A key repeated inside one file, or a row identical to what is stored, counts as a duplicate, so re-importing a
file inserts and updates nothing.

Layouts
-------
boundaries   GeoJSON FeatureCollection in WGS84, properties `gss_code` and `name` (the GLA borough file).
population   CSV `lsoa21_code,lsoa21_name,population_2021` (Census 2021 TS007A by LSOA); the year is read from
             the `population_YYYY` header. Borough totals are summed from their LSOAs.
deprivation  CSV of the English Indices of Deprivation 2019 by LSOA (2011 codes): `geography code`,
             `LSOA name (2011)`, `Local Authority District code (2019)`, `... name (2019)`, then Score, Rank
             and Decile columns for the IMD and every domain (Income, Employment, Education Skills and Training,
             Health Deprivation and Disability, Crime, Barriers to Housing and Services, Living Environment).
resources    CSV `area_code,area_name,year,budget_gbp,officers,staff`: one row per borough/BCU and financial
             year (the year it starts: 2023 = 2023/24); budget in pounds (decimals allowed), officers and staff
             as whole full-time equivalents. Example: ingestion/data/resources-example.csv.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ingestion.geo import outline_of
from ingestion.loader import AreaRecord, areas_upsert
from ingestion.models import Area, BoroughResources, Deprivation, ImportRun, Population, RejectedRow
from ingestion.sources.police_uk import borough_code, borough_from_lsoa_name

KINDS = ("boundaries", "population", "deprivation", "resources")
RESOURCES_COLUMNS = ["area_code", "area_name", "year", "budget_gbp", "officers", "staff"]


class ReferenceError(ValueError):
    """The file cannot be read as the layout asked for; the message names the file and what was expected."""


class RowProblem(ValueError):
    pass


# A parsed row: (model, lookup, values) to upsert; the lookup is the row's key.
Parsed = tuple[type, dict, dict]


def reference_import(*, kind: str, path: str | Path, user=None) -> ImportRun:
    parse = {"boundaries": _boundary_rows, "population": _population_rows, "deprivation": _deprivation_rows,
             "resources": _resource_rows}[kind]  # fmt: skip
    path = Path(path)
    if not path.is_file():
        raise ReferenceError(f"{path}: no such file")
    run = ImportRun.objects.create(source=f"reference_{kind}", target=str(path), created_by=user)
    try:
        with transaction.atomic():
            _load(run, parse(path))
            _after(kind)
    except ReferenceError as error:
        _finish(run, status=ImportRun.Status.FAILED, error=str(error))
        raise
    return run


def _load(run: ImportRun, rows: Iterator[tuple[int, str, Parsed | RowProblem]]) -> None:
    counts, seen, rejected = Counter(), set(), []
    for line, raw, parsed in rows:
        counts["read"] += 1
        if isinstance(parsed, RowProblem):
            rejected.append(RejectedRow(run=run, line_number=line, raw_text=raw[:10_000], reason=str(parsed)))
            continue
        model, lookup, values = parsed
        key = (model, tuple(sorted(lookup.items())))
        counts["duplicate" if key in seen else _upsert(model, lookup, values)] += 1
        seen.add(key)
    RejectedRow.objects.bulk_create(rejected)
    run.rows_read, run.rows_rejected = counts["read"], len(rejected)
    run.rows_inserted, run.rows_updated, run.rows_duplicate = counts["inserted"], counts["updated"], counts["duplicate"]
    _finish(run, status=ImportRun.Status.SUCCEEDED)


def _upsert(model: type, lookup: dict, values: dict) -> str:
    existing = model.objects.filter(**lookup).first()
    if existing is None:
        model.objects.create(**lookup, **values)
        return "inserted"
    if all(getattr(existing, name) == value for name, value in values.items()):
        return "duplicate"
    model.objects.filter(pk=existing.pk).update(**values)
    return "updated"


def _finish(run: ImportRun, *, status: str, error: str = "") -> None:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.save()


def _after(kind: str) -> None:
    if kind == "population":
        _borough_populations()


# --- boundaries -------------------------------------------------------------------------------------------


def _boundary_rows(path: Path) -> Iterator[tuple[int, str, Parsed | RowProblem]]:
    try:
        features = json.loads(path.read_text(encoding="utf-8-sig"))["features"]
    except (ValueError, KeyError, TypeError) as error:
        raise ReferenceError(f"{path}: expected a GeoJSON FeatureCollection ({error})") from None
    for number, feature in enumerate(features, start=1):
        yield number, json.dumps(feature.get("properties", {})), _boundary(feature)


def _boundary(feature: dict) -> Parsed | RowProblem:
    properties, geometry = feature.get("properties") or {}, feature.get("geometry") or {}
    code, name = properties.get("gss_code"), properties.get("name")
    if not code or not name:
        return RowProblem("feature without gss_code or name")
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return RowProblem(f"geometry is {geometry.get('type')!r}, expected Polygon or MultiPolygon")
    values = {"name": name, "kind": Area.Kind.BOROUGH, "boundary": geometry, "outline": outline_of(geometry)}
    return Area, {"code": code}, values


# --- CSV layouts ------------------------------------------------------------------------------------------


def _csv_rows(path: Path, required: list[str], parse: Callable[[dict], Parsed]) -> Iterator:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        missing = [name for name in required if name not in header]
        if missing:
            raise ReferenceError(f"{path}: missing columns {', '.join(missing)}; expected {', '.join(required)}")
        for fields in reader:
            raw = ",".join(fields)
            if len(fields) != len(header):
                yield reader.line_num, raw, RowProblem(f"{len(fields)} fields, expected {len(header)}")
                continue
            try:
                yield reader.line_num, raw, parse(dict(zip(header, (f.strip() for f in fields), strict=True)))
            except RowProblem as problem:
                yield reader.line_num, raw, problem


def _whole(text: str, name: str) -> int:
    try:
        value = int(text.replace(",", ""))
    except ValueError:
        raise RowProblem(f"{name} {text!r} is not a whole number") from None
    if value < 0:
        raise RowProblem(f"{name} {value} is negative")
    return value


def _number(text: str, name: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        raise RowProblem(f"{name} {text!r} is not a number") from None


def _required(row: dict, name: str) -> str:
    if not row[name]:
        raise RowProblem(f"{name} is empty")
    return row[name]


# --- population -------------------------------------------------------------------------------------------


def _population_rows(path: Path) -> Iterator:
    with path.open(encoding="utf-8-sig") as handle:
        header = handle.readline()
    match = re.search(r"population_(\d{4})", header)
    if not match:
        raise ReferenceError(f"{path}: expected columns lsoa21_code,lsoa21_name,population_YYYY")
    year = int(match.group(1))
    yield from _csv_rows(path, ["lsoa21_code", "lsoa21_name", f"population_{year}"], lambda row: _population(row, year))


def _population(row: dict, year: int) -> Parsed:
    code, name = _required(row, "lsoa21_code"), _required(row, "lsoa21_name")
    people = _whole(row[f"population_{year}"], "population")
    areas_upsert([AreaRecord(code, name, Area.Kind.LSOA, borough_code(borough_from_lsoa_name(name)))])
    Area.objects.filter(code=code).update(population=people)
    return Population, {"area_code": code, "year": year}, {"population": people}


def _borough_populations() -> None:
    """Each borough's population is the sum of its LSOAs' latest year."""
    latest = Population.objects.order_by("-year").values_list("year", flat=True).first()
    totals = defaultdict(int)
    lsoa_parent = dict(Area.objects.filter(kind=Area.Kind.LSOA).values_list("code", "parent_id"))
    for code, people in Population.objects.filter(year=latest).values_list("area_code", "population"):
        if lsoa_parent.get(code):
            totals[lsoa_parent[code]] += people
    for borough, people in totals.items():
        Population.objects.update_or_create(area_code=borough, year=latest, defaults={"population": people})
        Area.objects.filter(code=borough).update(population=people)


# --- deprivation ------------------------------------------------------------------------------------------

IMD = "Index of Multiple Deprivation (IMD)"
DEPRIVATION_KEYS = ["geography code", "LSOA name (2011)", "Local Authority District code (2019)",
                    "Local Authority District name (2019)", f"{IMD} Score"]  # fmt: skip
_MEASURE = re.compile(r"^(?P<domain>.+?) (?P<measure>Score|Rank|Decile)\b")


def _deprivation_rows(path: Path) -> Iterator:
    yield from _csv_rows(path, DEPRIVATION_KEYS, _deprivation)


def _deprivation(row: dict) -> Parsed:
    code = _required(row, "geography code")
    domains = defaultdict(dict)
    for column, text in row.items():
        match = _MEASURE.match(column)
        if match:
            domain = re.sub(r"[^a-z0-9]+", "_", match["domain"].lower()).strip("_")
            domains[domain][match["measure"].lower()] = _number(text, column)
    imd = domains.pop("index_of_multiple_deprivation_imd", {})
    if imd.get("score") is None:
        raise RowProblem("IMD score is empty")
    borough = row["Local Authority District code (2019)"]
    areas_upsert([AreaRecord(code, row["LSOA name (2011)"], Area.Kind.LSOA, borough or None)])
    values = {
        "lsoa_name": row["LSOA name (2011)"],
        "borough_code": borough,
        "borough_name": row["Local Authority District name (2019)"],
        "imd_score": imd["score"],
        "imd_rank": _int_or_none(imd.get("rank")),
        "imd_decile": _int_or_none(imd.get("decile")),
        "domains": dict(domains),
    }
    return Deprivation, {"lsoa_code": code}, values


def _int_or_none(value: float | None) -> int | None:
    return None if value is None else int(value)


# --- resources --------------------------------------------------------------------------------------------


def _resource_rows(path: Path) -> Iterator:
    yield from _csv_rows(path, RESOURCES_COLUMNS, _resources)


def _resources(row: dict) -> Parsed:
    code = _required(row, "area_code")
    year = _whole(_required(row, "year"), "year")
    if not 1990 <= year <= 2100:
        raise RowProblem(f"year {year} is outside 1990-2100")
    try:
        budget = Decimal(_required(row, "budget_gbp").replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise RowProblem(f"budget_gbp {row['budget_gbp']!r} is not an amount") from None
    if row["area_name"]:
        areas_upsert([AreaRecord(code, row["area_name"], Area.Kind.BOROUGH)])
    values = {
        "budget_gbp": budget,
        "officers": _whole(row["officers"], "officers"),
        "staff": _whole(row["staff"] or "0", "staff"),
    }
    return BoroughResources, {"area_code": code, "year": year}, values
