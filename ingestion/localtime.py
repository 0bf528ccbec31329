"""Local time of an incident in its source's own zone: the day, hour and weekday every view groups by.

Each source declares its IANA zone (Baltimore America/New_York, police.uk Europe/London, a CAD mapping its own); a
source that declares none is read in the site's TIME_ZONE. The loader derives the local fields once per record, so
rollups, charts and filters never convert time zones again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Case, Q, Value, When

from crimedash.request_memo import per_request
from ingestion.models import Incident

# UTC offsets run from -12:00 to +14:00: a local day lies within a day either side of the same UTC day.
_WIDEST_OFFSET = dt.timedelta(days=1)
_ZONES: dict[str, ZoneInfo] = {}


def zone_info(name: str) -> ZoneInfo:
    """The ZoneInfo of `name` ('' = the site's zone), kept: the loader asks once per row."""
    name = name or settings.TIME_ZONE
    try:
        return _ZONES[name]
    except KeyError:
        return _ZONES.setdefault(name, ZoneInfo(name))


def local_time(*, occurred_at: dt.datetime, zone: ZoneInfo, precision: str) -> tuple[dt.date, int | None, int | None]:
    """(local date, hour, ISO weekday) of a moment in `zone`. A month-precision record (police.uk street data,
    stamped on the 1st in its own terms) has the 1st as its day and no hour or weekday; a day-precision one no hour."""
    if precision == "month":
        return occurred_at.date().replace(day=1), None, None
    local = occurred_at if occurred_at.tzinfo is zone else occurred_at.astimezone(zone)
    return local.date(), (local.hour if precision == "minute" else None), local.isoweekday()


def local_fields(*, occurred_at: dt.datetime, zone: str, precision: str) -> dict:
    """The Incident fields of local time, for code that writes Incidents without the loader (the dispatch feed)."""
    name = zone or settings.TIME_ZONE
    day, hour, weekday = local_time(occurred_at=occurred_at, zone=zone_info(name), precision=precision)
    return {"time_zone": name, "local_date": day, "local_hour": hour, "local_weekday": weekday}


def local_days(start: dt.date | None, end: dt.date | None) -> Q:
    """Incidents whose local day is in [start, end) (either bound may be None). The same range of occurred_at,
    widened by the widest UTC offset, is asked too, so the query runs on the occurred_at indexes."""
    return _time_window(start, end) & _local_bounds(start, end)


def local_days_on_time_index(start: dt.date | None, end: dt.date | None, *, zone: str = "") -> Q:
    """`local_days` for a read that walks an occurred_at index newest first and stops after a page of rows. With
    the `zone` every matching row records in (the zone of the sources asked for), the occurred_at range is that
    zone's local midnights exactly, not widened by a day: a police.uk month sits at one instant, its 1st's local
    midnight, so a day's widening put the whole next month (123,000 rows at 10 M incidents) ahead of the first
    match of a walk back from the end of a period.

    PostgreSQL multiplies the selectivities of the occurred_at range and the local_date range as if independent,
    though the first nearly implies the second: the newest month at 1 M incidents was estimated at a sixtieth of its
    17,000 rows, fewer than the map's 500, so the planner fetched and sorted the month (22 ms) rather than read 500
    index entries backwards (0.4 ms). Asked as one CASE (the same rows: a NULL local day is not in the range), the
    local day is an expression the planner cannot see into and estimates at one half, close to the truth here. (Two
    COALESCE bounds, at a third each, left real police.uk data on the edge between the two plans.)"""
    bounds = _local_bounds(start, end)
    if not bounds:
        return Q()
    in_range = Case(When(bounds, then=Value(True)), default=Value(False), output_field=BooleanField())
    return _time_window(start, end, zone) & Q(in_range)


def _time_window(start: dt.date | None, end: dt.date | None, zone: str = "") -> Q:
    """The occurred_at range of the local days [start, end): in `zone`, its midnights exactly; with no zone named
    (sources in several), UTC's midnights widened by the widest offset, which holds the local days of every zone."""
    tzinfo, margin = (zone_info(zone), dt.timedelta()) if zone else (dt.UTC, _WIDEST_OFFSET)
    where = Q()
    if start is not None:
        where &= Q(occurred_at__gte=dt.datetime.combine(start, dt.time(), tzinfo=tzinfo) - margin)
    if end is not None:
        where &= Q(occurred_at__lt=dt.datetime.combine(end, dt.time(), tzinfo=tzinfo) + margin)
    return where


def _local_bounds(start: dt.date | None, end: dt.date | None) -> Q:
    where = Q()
    if start is not None:
        where &= Q(local_date__gte=start)
    if end is not None:
        where &= Q(local_date__lt=end)
    return where


@per_request  # each newest-first read of a page asks it
def zone_of_sources(sources: tuple[str, ...]) -> str:
    """The one zone these sources all record in ('' when none are given, their zones differ or one has no row). Each
    source records in one zone (the CAD import refuses calls in another, the dispatch feed takes the source's), so
    one row tells it."""
    zones = source_zones(sources)
    found = set(zones.values())
    return found.pop() if sources and len(zones) == len(set(sources)) and len(found) == 1 else ""


def source_zones(sources: Iterable[str]) -> dict[str, str]:
    """{source: the zone it records in}, for those sources that hold an incident."""
    return {source: zone for source in set(sources) if (zone := source_zone(source))}


@per_request  # a page's charts, sections and newest-first reads each ask it of the same sources
def source_zone(source: str) -> str:
    """The zone `source` records in, from one stored incident of it (by the (source, source_key) index); '' when
    it holds none."""
    found = Incident.objects.filter(source=source).exclude(time_zone="").values_list("time_zone", flat=True)[:1]
    return next(iter(found), "")
