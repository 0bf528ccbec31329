"""Rollup tables rebuilt from Incident with set-based INSERT ... SELECT ... GROUP BY (PostgreSQL and SQLite).

The SELECT is built with the ORM and then wrapped in an INSERT. Month, day, weekday and hour are the incident's local
ones, derived at import in its source's own zone (ingestion.localtime): a US city's calls and London's crimes each sit
in their own hours. A refresh replaces whole (local month x borough) slices, which every rollup row is keyed by.
"""

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, Count, DateField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from analytics.models import (
    AreaMonthTotal,
    DailyCount,
    HourWeekdayCount,
    Level,
    MonthlyCount,
    OutcomeCount,
    PriorityMonthTotal,
)
from ingestion.localtime import local_days
from ingestion.models import Incident

# The Incident column each level groups by.
LEVEL_FIELDS = {
    Level.FORCE: "force_id",
    Level.BOROUGH: "borough_id",
    Level.LSOA: "lsoa_id",
    Level.NEIGHBORHOOD: "neighborhood_id",
    Level.POST: "post_id",
    Level.ZIP: "zip_code_id",
    Level.H3: "h3_cell",
}
BOROUGH_AND_ABOVE = (Level.FORCE, Level.BOROUGH)
# Hour and day views at LSOA or H3 level would be mostly empty cells: they stop at neighborhood/post/ZIP.
PLACE_LEVELS = (Level.FORCE, Level.BOROUGH, Level.NEIGHBORHOOD, Level.POST, Level.ZIP)
TIMED = ("day", "minute")


@dataclass(frozen=True)
class RollupSpec:
    model: type
    levels: tuple
    dimensions: dict  # rollup column -> Incident field name or expression
    where: Q


SPECS = (
    RollupSpec(
        MonthlyCount,
        tuple(LEVEL_FIELDS),
        {"category": "category", "kind": "kind", "origin": "origin", "source": "source"},
        Q(),
    ),
    RollupSpec(
        HourWeekdayCount,
        PLACE_LEVELS,
        {
            "weekday": "local_weekday",
            "hour": "local_hour",
            "category": "category",
            "kind": "kind",
            "source": "source",
        },
        Q(time_precision="minute"),
    ),
    RollupSpec(
        DailyCount,
        PLACE_LEVELS,
        {
            "day": "local_date",
            "category": "category",
            "kind": "kind",
            "source": "source",
            "priority": "priority",
        },
        Q(time_precision__in=TIMED),
    ),
    RollupSpec(OutcomeCount, BOROUGH_AND_ABOVE, {"category": "category", "kind": "kind", "outcome": "outcome"}, Q()),
)


# Rollups summed from another rollup (not from Incident): (model, summed from, the columns kept).
DERIVED = (
    (AreaMonthTotal, MonthlyCount, ("level", "area_code", "borough_code", "month", "kind", "source")),
    (PriorityMonthTotal, DailyCount, ("level", "area_code", "borough_code", "month", "kind", "source", "priority")),
)
# Every table a rebuild rewrites.
TABLES = tuple(model._meta.db_table for model in (*(spec.model for spec in SPECS), *(model for model, *_ in DERIVED)))


@dataclass(frozen=True)
class Slice:
    """Months ('YYYY-MM') and boroughs ('' = incidents without one) to replace; None means every one."""

    months: tuple[str, ...] | None = None
    boroughs: tuple[str, ...] | None = None

    def incident_filter(self) -> Q:
        where = Q()
        if self.months is not None:
            where &= _any(local_days(*month_bounds(month)) for month in self.months)
        if self.boroughs is not None:
            where &= _borough_filter(self.boroughs)
        return where

    def rollup_filter(self) -> Q:
        where = Q()
        if self.months is not None:
            where &= Q(month__in=[month_start(month) for month in self.months])
        if self.boroughs is not None:
            where &= Q(borough_code__in=self.boroughs)
        return where


def rollups_rebuild(*, where: Slice) -> dict[str, int]:
    """Replace the slice in every rollup table; returns rows written per table."""
    written = {}
    for spec in SPECS:
        with _bare_table(spec.model, active=where.months is None and where.boroughs is None):
            _delete(spec.model, where)
            written[spec.model.__name__] = sum(_insert(spec, level, where) for level in spec.levels)
    for model, source, keys in DERIVED:
        with _bare_table(model, active=where.months is None and where.boroughs is None):
            _delete(model, where)
            written[model.__name__] = _insert_summed(model, source, keys, where)
    return written


@contextmanager
def _bare_table(model, *, active: bool):
    """A full rebuild on PostgreSQL fills the table without its indexes and builds them once at the end, which is
    several times faster than maintaining them row by row (the DDL is transactional: a failure restores them)."""
    if not active or connection.vendor != "postgresql":
        yield
        return
    with connection.schema_editor(atomic=False) as editor:
        for index in model._meta.indexes:
            editor.remove_index(model, index)
    yield
    with connection.schema_editor(atomic=False) as editor:
        for index in model._meta.indexes:
            editor.add_index(model, index)


def month_start(month: str) -> dt.date:
    return dt.date.fromisoformat(f"{month}-01")


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First day of a 'YYYY-MM' month and of the month after it."""
    first = month_start(month)
    return first, (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _any(conditions) -> Q:
    combined = Q(pk__in=[])
    for condition in conditions:
        combined |= condition
    return combined


def _borough_filter(boroughs: tuple[str, ...]) -> Q:
    where = Q(borough_id__in=[code for code in boroughs if code])
    return where | Q(borough__isnull=True) if "" in boroughs else where


def _delete(model, where: Slice) -> None:
    if where.months is None and where.boroughs is None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {model._meta.db_table}")
        return
    model.objects.filter(where.rollup_filter())._raw_delete(using="default")


def _present(level: str, field: str) -> Q:
    """Rows that have an area at this level. Every incident counts at force level (area '' when the source names
    no force), so force rows always add up to the whole table."""
    if level == Level.FORCE:
        return Q()
    return ~Q(h3_cell="") if level == Level.H3 else Q(**{f"{field}__isnull": False})


def _insert(spec: RollupSpec, level: str, where: Slice) -> int:
    field = LEVEL_FIELDS[level]
    area = Coalesce(field, Value(""), output_field=CharField()) if level == Level.FORCE else F(field)
    present = _present(level, field)
    expressions = {f"r_{name}": value for name, value in spec.dimensions.items() if not isinstance(value, str)}
    columns = [f"r_{name}" if f"r_{name}" in expressions else value for name, value in spec.dimensions.items()]
    queryset = (
        Incident.objects.filter(spec.where, present, where.incident_filter())
        .annotate(
            r_level=Value(level.value, output_field=CharField()),
            r_area=area,
            r_borough=Coalesce("borough_id", Value(""), output_field=CharField()),
            r_month=TruncMonth("local_date", output_field=DateField()),
            **expressions,
        )
        .values("r_level", "r_area", "r_borough", "r_month", *columns)
        .annotate(r_count=Count("*"))
        .values_list("r_level", "r_area", "r_borough", "r_month", *columns, "r_count")
        .order_by("r_month")  # rows of a month land together: a dashboard reads a few recent months of a level
    )
    select_sql, params = queryset.query.sql_with_params()
    targets = ", ".join(["level", "area_code", "borough_code", "month", *spec.dimensions, "count"])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {spec.model._meta.db_table} ({targets}) {select_sql}", params)
        return max(cursor.rowcount, 0)


def _insert_summed(model, source, keys: tuple[str, ...], where: Slice) -> int:
    """The slice of `source` summed over every column not in `keys`, written into `model`."""
    grouped = source.objects.filter(where.rollup_filter()).values(*keys).annotate(r_count=Sum("count"))
    queryset = grouped.order_by("level", "month")  # stored in the order the dashboards read them
    select_sql, params = queryset.values_list(*keys, "r_count").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({', '.join(keys)}, count) {select_sql}", params)
        return max(cursor.rowcount, 0)
