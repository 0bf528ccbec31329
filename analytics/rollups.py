"""Rollup tables rebuilt from Incident with set-based INSERT ... SELECT ... GROUP BY (PostgreSQL and SQLite).

A slice's incidents are copied once into a temporary table (RefreshSlice) and every level of every rollup is
grouped from the copy; the tables fall in two lanes (LANES) a refresh may write side by side.

The SELECT is built with the ORM and then wrapped in an INSERT. Month, day, weekday and hour are the incident's local
ones, derived at import in its source's own zone (ingestion.localtime): a US city's calls and London's crimes each sit
in their own hours. A refresh replaces whole (local month x borough) slices, which every rollup row is keyed by; a full
one replaces every month that holds incidents, one month at a time (analytics.refresh).
"""

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, Count, DateField, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncYear

from analytics.models import (
    AreaMonthTotal,
    DailyCount,
    H3MonthlyCount,
    H3MonthTotal,
    H3YearlyCount,
    H3YearTotal,
    HourWeekdayCount,
    HourWeekdayTotal,
    Level,
    MonthlyCount,
    OutcomeCount,
    PriorityMonthTotal,
    RefreshSlice,
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
MONTHLY_DIMENSIONS = {"category": "category", "kind": "kind", "origin": "origin", "source": "source"}


@dataclass(frozen=True)
class RollupSpec:
    model: type
    levels: tuple
    dimensions: dict  # rollup column -> Incident field name or expression
    where: Q


SPECS = (
    RollupSpec(MonthlyCount, tuple(level for level in LEVEL_FIELDS if level != Level.H3), MONTHLY_DIMENSIONS, Q()),
    RollupSpec(H3MonthlyCount, (Level.H3,), MONTHLY_DIMENSIONS, Q()),  # one row per incident, nearly: its own table
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
AREA_MONTH = ("level", "area_code", "borough_code", "month", "kind", "source")
DERIVED = (
    (AreaMonthTotal, MonthlyCount, AREA_MONTH),
    (H3MonthTotal, H3MonthlyCount, AREA_MONTH),
    (PriorityMonthTotal, DailyCount, (*AREA_MONTH, "priority")),
    (HourWeekdayTotal, HourWeekdayCount, (*AREA_MONTH, "weekday", "hour")),
)
# Rollups summed over the months of each year (`month` holds the year's first day), for H3 maps of long periods:
# (model, summed from). A month's refresh rewrites its year's rows from the year's monthly ones.
YEARLY = ((H3YearlyCount, H3MonthlyCount), (H3YearTotal, H3MonthTotal))
# Every table a rebuild rewrites.
MODELS = (*(spec.model for spec in SPECS), *(model for model, *_ in DERIVED), *(model for model, _ in YEARLY))
TABLES = tuple(model._meta.db_table for model in MODELS)
# The tables split in two lanes of about equal work, which a refresh may write side by side (analytics.refresh),
# each derived table in the lane of the one it sums; the response-time histograms go with the second.
LANES = (
    (MonthlyCount, H3MonthlyCount, AreaMonthTotal, H3MonthTotal, H3YearlyCount, H3YearTotal),
    (HourWeekdayCount, DailyCount, OutcomeCount, HourWeekdayTotal, PriorityMonthTotal),
)


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
        months = Q() if self.months is None else Q(month__in=[month_start(month) for month in self.months])
        return self._in_boroughs(months)

    def year_filter(self) -> Q:
        """The rows of a yearly rollup (YEARLY) that hold this slice's months."""
        years = Q() if self.months is None else Q(month__in=[dt.date(year, 1, 1) for year in self.years()])
        return self._in_boroughs(years)

    def months_of_its_years(self) -> Q:
        """The monthly rows of the years this slice's months fall in (what their yearly rows sum)."""
        if self.months is None:
            return self._in_boroughs(Q())
        years = self.years()
        return self._in_boroughs(_any(Q(month__gte=dt.date(y, 1, 1), month__lte=dt.date(y, 12, 1)) for y in years))

    def _in_boroughs(self, where: Q) -> Q:
        return where & Q(borough_code__in=self.boroughs) if self.boroughs is not None else where

    def years(self) -> set[int] | None:
        return None if self.months is None else {int(month[:4]) for month in self.months}

    def by_month(self) -> list["Slice"]:
        """The slice one month at a time (every month that may hold incidents when months is None)."""
        months = months_present() if self.months is None else self.months
        return [Slice(months=(month,), boroughs=self.boroughs) for month in months]


def rollups_rebuild(*, where: Slice, models: tuple = MODELS) -> dict[str, int]:
    """Replace the slice in these rollup tables (every one by default); returns rows written per table."""
    written = {}
    with slice_copied(where):
        for spec in (spec for spec in SPECS if spec.model in models):
            spec.model.objects.filter(where.rollup_filter())._raw_delete(using="default")
            written[spec.model.__name__] = sum(_insert(spec, level) for level in spec.levels)
    for model, source, keys in (derived for derived in DERIVED if derived[0] in models):
        model.objects.filter(where.rollup_filter())._raw_delete(using="default")
        written[model.__name__] = _insert_summed(model, source, keys, where)
    written.update(yearly_rebuild(where=where, models=models))
    return written


def yearly_rebuild(*, where: Slice, models: tuple = MODELS) -> dict[str, int]:
    """Rewrite the yearly rollups' rows (of these models) for the years the slice's months fall in, from the monthly
    rows now there."""
    written = {}
    for model, source in (yearly for yearly in YEARLY if yearly[0] in models):
        model.objects.filter(where.year_filter())._raw_delete(using="default")
        written[model.__name__] = _insert_yearly(model, source, where)
    return written


@contextmanager
def slice_copied(where: Slice):
    """The slice's incidents in a temporary table (RefreshSlice) while the block runs: one read of Incident for every
    level of every rollup."""
    table = connection.ops.quote_name(RefreshSlice._meta.db_table)
    columns = [field.attname for field in RefreshSlice._meta.concrete_fields]
    incidents = Incident.objects.filter(where.incident_filter()).values(*columns).order_by()
    select_sql, params = incidents.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {table} AS {select_sql}", params)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")


def months_present() -> list[str]:
    """Local months that may hold incidents, 'YYYY-MM', in order: each UTC month that holds one and the months either
    side (a local day is within a day of UTC). One probe of the occurred_at index per month, however long the gaps."""
    months, after = set(), None
    while True:
        later = Incident.objects.filter(occurred_at__gte=after) if after else Incident.objects.all()
        first = later.order_by("occurred_at").values_list("occurred_at", flat=True).first()
        if first is None:
            return sorted(months)
        month = first.astimezone(dt.UTC).date().replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        months |= {f"{month - dt.timedelta(days=1):%Y-%m}", f"{month:%Y-%m}", f"{following:%Y-%m}"}
        after = dt.datetime.combine(following, dt.time(), tzinfo=dt.UTC)


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


def _present(level: str, field: str) -> Q:
    """Rows that have an area at this level. Every incident counts at force level (area '' when the source names
    no force), so force rows always add up to the whole table."""
    if level == Level.FORCE:
        return Q()
    return ~Q(h3_cell="") if level == Level.H3 else Q(**{f"{field}__isnull": False})


def _insert(spec: RollupSpec, level: str) -> int:
    """One level of a rollup, grouped from the slice's copy (slice_copied)."""
    field = LEVEL_FIELDS[level]
    area = Coalesce(field, Value(""), output_field=CharField()) if level == Level.FORCE else F(field)
    present = _present(level, field)
    expressions = {f"r_{name}": value for name, value in spec.dimensions.items() if not isinstance(value, str)}
    columns = [f"r_{name}" if f"r_{name}" in expressions else value for name, value in spec.dimensions.items()]
    queryset = (
        RefreshSlice.objects.filter(spec.where, present)
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
        # Grouped by hashing (the planner knows the copy's size), then the groups (not the incidents) sorted by
        # area: each rollup's grain index leads with it, so the rows go into it in its order (H3: a third faster).
        .order_by("r_area")
    )
    select_sql, params = queryset.query.sql_with_params()
    targets = ", ".join(["level", "area_code", "borough_code", "month", *spec.dimensions, "count"])
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {spec.model._meta.db_table} ({targets}) {select_sql}", params)
        return max(cursor.rowcount, 0)


def _insert_summed(model, source, keys: tuple[str, ...], where: Slice) -> int:
    """The slice of `source` summed over every column not in `keys`, written into `model`."""
    grouped = source.objects.filter(where.rollup_filter()).values(*keys).annotate(r_count=Sum("count"))
    # stored in the order the dashboards read them: a scoped reader's borough is a run of pages in each month
    queryset = grouped.order_by("level", "month", "borough_code")
    select_sql, params = queryset.values_list(*keys, "r_count").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({', '.join(keys)}, count) {select_sql}", params)
        return max(cursor.rowcount, 0)


def _insert_yearly(model, source, where: Slice) -> int:
    """The years of the slice's months summed from `source`'s months into `model` (month = the year's first day)."""
    keys = [field.attname for field in model._meta.concrete_fields if field.attname not in ("id", "month", "count")]
    years = source.objects.filter(where.months_of_its_years()).annotate(
        r_year=TruncYear("month", output_field=DateField())
    )
    grouped = years.values(*keys, "r_year").annotate(r_count=Sum("count")).order_by("r_year", "borough_code")
    select_sql, params = grouped.values_list(*keys, "r_year", "r_count").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({', '.join(keys)}, month, count) {select_sql}", params)
        return max(cursor.rowcount, 0)
