"""data.police.uk API -> the loader's record stream, one ImportRun per month.

For each month: the forces and crime categories, each force's neighbourhoods (kept as Areas), crimes-street for
every configured borough polygon (split on 503 by the client), crimes-no-location for each London force, and
outcomes-for-crime for crimes that have an outcome (up to a limit: it costs one request per crime).
API records carry no LSOA, so borough and LSOA come from point-in-polygon against the imported boundaries.
The API's `persistent_id` is the archive's Crime ID, so a crime fetched both ways is one Incident; records with an
empty persistent_id (anti-social behaviour) are keyed by the API `id`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

from ingestion import conf
from ingestion.geo import BoundaryIndex, geometry_from_geojson
from ingestion.loader import AreaRecord, IncidentRecord, incident_import
from ingestion.models import Area, ImportRun
from ingestion.sources.police_uk import SOURCE, ZONE, force_code, in_bounds, origin_for
from ingestion.sources.police_uk.client import PoliceApiClient, PoliceApiError

LONDON_FORCES = ("metropolitan", "city-of-london")
# The City of London force polices exactly one borough, so its unlocated crimes still have a borough.
FORCE_BOROUGH = {"city-of-london": "E09000001"}


def police_uk_fetch(
    *, client: PoliceApiClient, areas: list[str], months: list[str], user=None, outcome_limit: int = 1000
) -> list[ImportRun]:
    """Fetch the months for the areas (borough codes with imported boundaries); one run per month, in order."""
    boundaries = _boundaries(areas)
    # Read the area index now: the loader consumes the rows inside a COPY, when the connection is busy.
    locator = _Locator()
    runs = []
    for month in months:
        rows = _month_rows(client, boundaries, locator, month, outcome_limit)
        target = f"data.police.uk API {month} {','.join(sorted(boundaries))}"
        runs.append(incident_import(source=SOURCE, target=target, rows=rows, user=user))
    return runs


def police_uk_fetch_configured() -> list[ImportRun]:
    """The configured areas (POLICE_UK_AREAS) for the latest published month, as the monthly beat task runs it."""
    return police_uk_fetch(client=PoliceApiClient(), areas=conf.POLICE_UK_AREAS, months=default_months())


def default_months(*, today: date | None = None) -> list[str]:
    """The latest month data.police.uk has usually published: two months before today."""
    today = today or date.today()
    index = today.year * 12 + today.month - 1 - 2
    return [f"{index // 12:04d}-{index % 12 + 1:02d}"]


def _boundaries(areas: list[str]) -> dict[str, dict]:
    found = dict(Area.objects.filter(code__in=areas, boundary__isnull=False).values_list("code", "boundary"))
    missing = sorted(set(areas) - set(found))
    if missing:
        raise PoliceApiError(
            f"No boundary for {', '.join(missing)}: run `import_reference boundaries london-boroughs.geojson` first"
        )
    return found


def _month_rows(
    client: PoliceApiClient, boundaries: dict, locator: _Locator, month: str, outcome_limit: int
) -> Iterator:
    forces = {force["id"]: force["name"] for force in client.forces()}
    yield from _force_areas(client, forces)
    crimes: dict[int, dict] = {}
    for geometry in boundaries.values():
        for crime in client.crimes_street_area(geometry=geometry_from_geojson(geometry), month=month):
            crimes.setdefault(crime["id"], crime)
    for force in LONDON_FORCES:
        for crime in client.crimes_no_location(force=force, month=month):
            crimes.setdefault(crime["id"], {**crime, "_force": force})
    histories = _outcome_histories(client, crimes.values(), outcome_limit)
    yield from locator.records(list(crimes.values()), histories)


def _force_areas(client: PoliceApiClient, forces: dict[str, str]) -> Iterator[AreaRecord]:
    for force in LONDON_FORCES:
        if force not in forces:
            continue
        yield AreaRecord(force_code(force), forces[force], "force")
        for hood in client.neighbourhoods(force=force):
            yield AreaRecord(f"puk-neighbourhood:{force}:{hood['id']}", hood["name"], "neighborhood", force_code(force))


def _outcome_histories(client: PoliceApiClient, crimes, limit: int) -> dict[str, list[dict]]:
    wanted = [c["persistent_id"] for c in crimes if c.get("persistent_id") and c.get("outcome_status")][:limit]
    histories = {}
    for persistent_id in wanted:
        answer = client.outcomes_for_crime(persistent_id=persistent_id)
        histories[persistent_id] = [
            {"date": o["date"], "category": o["category"]["name"]} for o in answer.get("outcomes", [])
        ]
    return histories


class _Locator:
    """Turns API crimes into IncidentRecords, finding borough and LSOA for all of them at once."""

    def __init__(self) -> None:
        self.boroughs = BoundaryIndex.for_kind(Area.Kind.BOROUGH)
        self.lsoas = BoundaryIndex.for_kind(Area.Kind.LSOA)

    def records(self, crimes: list[dict], histories: dict) -> Iterator[IncidentRecord]:
        points = [_point(crime) for crime in crimes]
        lons, lats = [p[1] for p in points], [p[0] for p in points]
        boroughs = self.boroughs.locate(lons=lons, lats=lats)
        lsoas = self.lsoas.locate(lons=lons, lats=lats)
        for crime, (lat, lon), borough, lsoa in zip(crimes, points, boroughs, lsoas, strict=True):
            record = incident_record(crime, latitude=lat, longitude=lon, history=histories.get(crime["persistent_id"]))
            record.borough_id = borough or FORCE_BOROUGH.get(crime.get("_force", ""))
            record.lsoa_id = lsoa
            record.force_id = record.force_id or _force_of(record.borough_id)
            yield record


def _force_of(borough: str | None) -> str | None:
    # crimes-street does not name the force: in London it is the City's force for the City, the Met elsewhere.
    if not borough or not borough.startswith("E09"):
        return None
    return force_code("city-of-london" if borough == FORCE_BOROUGH["city-of-london"] else "metropolitan")


def _point(crime: dict) -> tuple[float | None, float | None]:
    location = crime.get("location") or {}
    try:
        lat, lon = float(location["latitude"]), float(location["longitude"])
    except (KeyError, TypeError, ValueError):
        return None, None
    return (lat, lon) if in_bounds(lat, lon) else (None, None)


def incident_record(crime: dict, *, latitude, longitude, history: list[dict] | None) -> IncidentRecord:
    """One API crime as an IncidentRecord (borough and LSOA are filled in by the caller)."""
    status = crime.get("outcome_status") or {}
    history = history or ([{"date": status["date"], "category": status["category"]}] if status else [])
    category = crime["category"]
    location = crime.get("location") or {}
    return IncidentRecord(
        source=SOURCE,
        source_key=crime.get("persistent_id") or f"api:{crime['id']}",
        kind="asb" if category == "anti-social-behaviour" else "crime",
        category=category,
        raw_category=category,
        occurred_at=datetime.strptime(crime["month"], "%Y-%m").replace(tzinfo=UTC),
        time_precision="month",
        latitude=latitude,
        longitude=longitude,
        location_text=(location.get("street") or {}).get("name", ""),
        force_id=force_code(crime["_force"]) if crime.get("_force") else None,
        outcome=status.get("category", ""),
        outcome_history=history,
        context=crime.get("context") or "",
        origin=origin_for(category),
        time_zone=ZONE,
    )
