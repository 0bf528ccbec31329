"""Response-time histograms rebuilt from Incident's lifecycle times (PostgreSQL and SQLite), slice by slice like the
other rollups (analytics.rollups): a refresh replaces whole (local month x borough) slices.

Minutes are counted in buckets whose width grows with the time (BUCKETS): 1 minute up to an hour, 5 minutes up to
two hours, 15 up to four, an hour up to a day, then one bucket of more than a day. A bucket holds its upper edge and
is named by its lower one: bucket 14 holds (14, 15] minutes (bucket 0 holds [0, 1]), so "within a 15-minute target"
(on scene at 15:00 or sooner) is a sum of whole buckets. Any whole-minute target up to an hour (and any multiple of
the wider widths beyond) falls on an edge, so the share within target is exact; a median or 90th percentile read from
the buckets is within one bucket's width of the one computed from the calls themselves.
"""

import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, CharField, Count, DateField, F, FloatField, Func, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Ceil, Coalesce, TruncMonth

from analytics.models import Level, Measure, ResponseHourCount, ResponseTimeCount
from analytics.rollups import LEVEL_FIELDS, Slice
from ingestion.models import Incident

# (from minute, width) of each run of buckets, in order; the last run is one open bucket.
BUCKETS = ((0, 1), (60, 5), (120, 15), (240, 60), (1440, None))
OPEN_BUCKET = BUCKETS[-1][0]
# measure -> (start, end) Incident fields
MEASURES = {
    Measure.RESPONSE: ("occurred_at", "on_scene_at"),
    Measure.DISPATCH: ("occurred_at", "dispatched_at"),
    Measure.ON_SCENE: ("on_scene_at", "cleared_at"),
}
BASE_DIMENSIONS = {"category": "category", "kind": "kind", "source": "source", "priority": "priority"}


@dataclass(frozen=True)
class HistogramSpec:
    model: type
    levels: tuple
    measures: tuple
    dimensions: dict  # rollup column -> Incident field


SPECS = (
    HistogramSpec(ResponseTimeCount, (Level.FORCE, Level.BOROUGH, Level.NEIGHBORHOOD, Level.POST),
                  tuple(MEASURES),
                  BASE_DIMENSIONS),
    HistogramSpec(ResponseHourCount, (Level.FORCE, Level.BOROUGH), (Measure.RESPONSE,),
                  {**BASE_DIMENSIONS, "weekday": "local_weekday", "hour": "local_hour"}),
)  # fmt: skip
TABLES = tuple(spec.model._meta.db_table for spec in SPECS)


class MinutesBetween(Func):
    """Minutes from one timestamp to another, to the second, as a float."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 60.0)",
                           arg_joiner=" - ", **extra)  # fmt: skip

    def as_sqlite(self, compiler, connection, **extra):
        end, start = (compiler.compile(expression) for expression in self.source_expressions)
        sql = f"((strftime('%%s', {end[0]}) - strftime('%%s', {start[0]})) / 60.0)"
        return sql, (*end[1], *start[1])


def bucket_of(minutes: float) -> int:
    """The lower edge of the bucket holding `minutes` (the Python twin of the SQL expression)."""
    if minutes <= 1:
        return 0
    for (start, width), (following, _w) in zip(BUCKETS, BUCKETS[1:], strict=False):
        if minutes <= following:
            return int(start + width * (math.ceil((minutes - start) / width) - 1))
    return OPEN_BUCKET


def bucket_width(bucket: int) -> int | None:
    """Width in minutes of the bucket starting at `bucket` (None for the open last one)."""
    return next(width for start, width in reversed(BUCKETS) if bucket >= start)


def _bucket_expression():
    runs = zip(BUCKETS, BUCKETS[1:], strict=False)
    whens = [(Q(r_minutes__lte=1), Value(0.0))] + [
        (Q(r_minutes__lte=following), Value(float(start)) + (Ceil((F("r_minutes") - start) / width) - 1) * width)
        for (start, width), (following, _w) in runs
    ]
    cases = Case(*(When(condition, then=value) for condition, value in whens), default=Value(float(OPEN_BUCKET)),
                 output_field=FloatField())  # fmt: skip
    return Cast(cases, IntegerField())


def response_rollups_rebuild(*, where: Slice) -> dict[str, int]:
    """Replace the slice in both histograms; returns rows written per table."""
    written = {}
    for spec in SPECS:
        spec.model.objects.filter(where.rollup_filter())._raw_delete(using="default")
        written[spec.model.__name__] = sum(
            _insert(spec, level, measure, where) for level in spec.levels for measure in spec.measures
        )
    return written


def _insert(spec: HistogramSpec, level: str, measure: str, where: Slice) -> int:
    start, end = MEASURES[measure]
    field = LEVEL_FIELDS[level]
    area = Coalesce(field, Value(""), output_field=CharField()) if level == Level.FORCE else F(field)
    present = Q() if level == Level.FORCE else Q(**{f"{field}__isnull": False})
    columns = list(spec.dimensions.values())
    queryset = (
        Incident.objects.filter(present, where.incident_filter(), time_precision="minute",
                                **{f"{start}__isnull": False, f"{end}__isnull": False})
        .alias(r_minutes=MinutesBetween(end, start))
        .filter(r_minutes__gte=0)
        .annotate(
            r_level=Value(level.value, output_field=CharField()),
            r_area=area,
            r_borough=Coalesce("borough_id", Value(""), output_field=CharField()),
            r_month=TruncMonth("local_date", output_field=DateField()),
            r_bucket=_bucket_expression(),
        )
        .values("r_level", "r_area", "r_borough", "r_month", *columns, "r_bucket")
        .annotate(r_count=Count("*"))
        .values_list("r_level", "r_area", "r_borough", "r_month", *columns, "r_bucket", "r_count")
        .order_by()
    )  # fmt: skip
    measure_column = ["measure"] if "measure" in {f.name for f in spec.model._meta.fields} else []
    select_sql, params = queryset.query.sql_with_params()
    if measure_column:
        select_sql, params = f"SELECT q.*, %s FROM ({select_sql}) q", (measure, *params)
    targets = ", ".join(["level", "area_code", "borough_code", "month", *spec.dimensions, "bucket", "count",
                         *measure_column])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {spec.model._meta.db_table} ({targets}) {select_sql}", params)
        return max(cursor.rowcount, 0)
