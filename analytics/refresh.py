"""The analytics refresh: rollups for what an import changed (or everything), then every result derived from them.

One refresh runs at a time (a PostgreSQL advisory lock; a second one waits, then sees what the first did), and each
rollup table is unique on its grain, so overlapping refreshes never count an incident twice. Rollups are replaced
one month at a time in short transactions (an incremental refresh's two lanes of tables, analytics.rollups.LANES,
one each): pages read throughout (a table shows a month's old counts or its new ones, never none; the two lanes of
an incremental refresh commit seconds apart), where a full refresh used to hold every rollup table locked for the
whole rebuild.
"""

import time
from collections import Counter
from contextlib import contextmanager
from functools import partial

from django.db import connection, transaction
from django.db.models import CharField, Exists, Max, Q, Value
from django.db.models.functions import Coalesce

from analytics import correlation, metrics, response_rollups, temporal
from analytics.models import RefreshRun
from analytics.rollups import (
    LANES,
    MODELS,
    YEARLY,
    Slice,
    month_bounds,
    month_start,
    rollups_rebuild,
    yearly_rebuild,
)
from crimedash.caching import bump_generation
from crimedash.dbstats import tables_analyze
from crimedash.request_memo import per_request
from crimedash.side_by_side import side_by_side, side_by_side_possible
from ingestion.localtime import local_days
from ingestion.models import Area, DispatchUpdate, ImportRun, Incident

BOROUGH_KINDS = (Area.Kind.BOROUGH, Area.Kind.BCU, Area.Kind.DISTRICT)
ROLLUP_MODELS = (*MODELS, *(spec.model for spec in response_rollups.SPECS))
YEARLY_MODELS = tuple(model for model, _ in YEARLY)
# pg_advisory_lock key every refresh takes (any constant no other lock in the project uses)
REFRESH_LOCK = 0x43445246
# Memory for each grouping of a refresh transaction: a 100,000-row month grouped by hashing stays in memory, where
# the 4 MB default spilled it to disk in batches.
WORK_MEM = "64MB"


def analytics_refresh(*, run_id: int | None = None, full: bool = False, warm: bool = False) -> RefreshRun:
    """Refresh after import `run_id` (only its months x boroughs); with no run, what the imports finished since the
    last refresh touched (the hourly catch-up); everything with full=True or on the first refresh. With warm=True (the
    refresh task), the dashboards users open most are rendered on the new generation before it is made current."""
    started = time.perf_counter()
    with refresh_lock():
        through = Incident.objects.aggregate(high=Max("id"))["high"]
        where = refresh_slice(run_id=run_id, full=full)
        rows = {}
        if where.months != ():  # () means nothing changed since the last refresh
            rows = rollups_replace(where=where)
            results_refresh(where=where)
            tables_tidy(full=where.months is None, rows=rows)
            bump_generation(warm=_dashboards_warm if warm else None)
        return RefreshRun.objects.create(
            run_id=run_id,
            full=where.months is None,
            months=list(where.months or []),
            boroughs=list(where.boroughs or []),
            rows=rows,
            seconds=round(time.perf_counter() - started, 3),
            incidents_through=through,
        )


@per_request  # the live feed and the map's points ask it on the same page
def rollups_hold_every_incident() -> bool:
    """True when no incident can have been written since the rollups were refreshed: no import running, none
    finished since the last sweeping (full or hourly) refresh began without a refresh of its own, no dispatch update
    since it, no incident above the last refresh's highest id. Then the rollups say exactly which months hold a
    filter's matches, and a newest-first read may stop at the newest of them."""
    last = RefreshRun.objects.order_by("-started_at").first()
    sweep = last if last is None or last.run_id is None else RefreshRun.objects.filter(run_id=None).first()
    if sweep is None or last.incidents_through is None:
        return False
    refreshed = RefreshRun.objects.filter(run_id__isnull=False).values("run_id")
    finished = Q(status=ImportRun.Status.SUCCEEDED, finished_at__gte=sweep.began_at)  # a failed run keeps nothing
    writes = {
        "imports": ImportRun.objects.filter(Q(status=ImportRun.Status.RUNNING) | finished).exclude(pk__in=refreshed),
        "dispatch": DispatchUpdate.objects.filter(received_at__gte=sweep.began_at),
        "inserts": Incident.objects.filter(pk__gt=last.incidents_through),
    }
    # one query: each kind of write an EXISTS
    found = RefreshRun.objects.filter(pk=last.pk).values_list(*(Exists(rows) for rows in writes.values()))
    return not any(found.get())


@contextmanager
def refresh_lock():
    """Hold the refresh lock: to the end of the caller's transaction when there is one, else until released.
    SQLite has no such lock; its IMMEDIATE transactions already take one writer at a time."""
    if connection.vendor != "postgresql":
        yield
        return
    until_commit = connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory{'_xact' if until_commit else ''}_lock(%s)", [REFRESH_LOCK])
    try:
        yield
    finally:
        if not until_commit:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK])


@contextmanager
def refresh_transaction():
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        yield


def rollups_replace(*, where: Slice) -> dict[str, int]:
    """Replace the slice in every rollup table a month at a time; a full refresh then deletes the rows of months that
    no longer hold incidents. An incremental refresh writes the month's two lanes (analytics.rollups.LANES) side by
    side where it can (side_by_side), each in a transaction of its own; a full one, which takes minutes, writes every
    table of a month in one transaction from one copy of its incidents, leaving a core to the pages. Returns rows
    written per table."""
    written = Counter()
    parts = where.by_month()
    # a full refresh, or one that cannot run side by side: one lane, one copy of each month's slice
    lanes = LANES if where.months is not None and side_by_side_possible() else (MODELS,)
    for part, ends_year in zip(parts, _year_ends(parts), strict=True):
        tasks = [
            partial(
                _in_refresh_transaction,
                partial(_lane_rebuild, part, _of_part(models, ends_year), histograms=models is lanes[-1]),
            )
            for models in lanes
        ]
        for rows in side_by_side(tasks):
            written.update(rows)
    if where.months is None:
        _months_gone_delete(kept=[month_start(part.months[0]) for part in parts])
    return {model.__name__: written[model.__name__] for model in ROLLUP_MODELS}


def _year_ends(parts: list[Slice]) -> list[bool]:
    """Whether each month is the last of its year in the refresh: only then are that year's yearly rows rewritten
    (a full refresh would otherwise sum every year twelve times)."""
    years = [part.months[0][:4] for part in parts]
    return [index + 1 == len(years) or years[index + 1] != year for index, year in enumerate(years)]


def _of_part(models: tuple, ends_year: bool) -> tuple:
    return models if ends_year else tuple(model for model in models if model not in YEARLY_MODELS)


def _months_gone_delete(*, kept: list) -> None:
    """After a full refresh, the rows of months that no longer hold incidents; their years' yearly rows are summed
    again without them."""
    sources = {source for _, source in YEARLY}
    with transaction.atomic():
        gone = {
            month
            for source in sources
            for month in source.objects.exclude(month__in=kept).values_list("month", flat=True).order_by().distinct()
        }
        for model in ROLLUP_MODELS:
            if model not in YEARLY_MODELS:
                model.objects.exclude(month__in=kept)._raw_delete(using="default")
        for model in YEARLY_MODELS:
            model.objects.exclude(month__in={month.replace(month=1) for month in kept})._raw_delete(using="default")
        if gone:
            yearly_rebuild(where=Slice(months=tuple(sorted(f"{month:%Y-%m}" for month in gone))), models=YEARLY_MODELS)


def results_refresh(*, where: Slice) -> None:
    """Every result derived from the rollups, in two lanes written side by side where they can be (side_by_side),
    each in a transaction of its own: the seasonal decompositions; the calendar effects, correlations and strategic
    metrics. Each reads only the rollups, none another's results."""
    lanes = (
        partial(temporal.decompositions_refresh, boroughs=where.boroughs),
        partial(_others_refresh, where=where),
    )
    side_by_side([partial(_in_refresh_transaction, lane) for lane in lanes])


def _others_refresh(*, where: Slice) -> None:
    temporal.calendar_effects_refresh(boroughs=where.boroughs)
    correlation.correlations_refresh()
    metrics.strategic_metrics_refresh(years=where.years())


def _in_refresh_transaction(task):
    with refresh_transaction():
        return task()


def _lane_rebuild(part: Slice, models: tuple, *, histograms: bool) -> dict[str, int]:
    rows = rollups_rebuild(where=part, models=models)
    if histograms:
        rows.update(response_rollups.response_rollups_rebuild(where=part))
    return rows


def tables_tidy(*, full: bool, rows: dict[str, int]) -> None:
    """After a full refresh, which rewrote every row, VACUUM (ANALYZE) the rollup tables (outside a transaction
    only), so the next one reuses the dead rows' space where autovacuum is off; after a partial one, ANALYZE only the
    tables it changed materially (a month of a long history leaves their statistics good)."""
    written = {model._meta.db_table: rows.get(model.__name__, 0) for model in ROLLUP_MODELS}
    if not (full and connection.vendor == "postgresql" and not connection.in_atomic_block):
        tables_analyze(tables=written, written=None if full else written)
        return
    with connection.cursor() as cursor:
        for table in written:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")


def _dashboards_warm() -> None:
    from dashboards.warm import dashboards_warm  # dashboards reads analytics: imported when called, not at the top

    dashboards_warm()


def refresh_slice(*, run_id: int | None, full: bool) -> Slice:
    last = RefreshRun.objects.order_by("-started_at").first()
    if full or last is None:
        return Slice()
    if run_id is not None:
        return slice_for_run(run=ImportRun.objects.get(pk=run_id))
    finished = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED, finished_at__gte=last.started_at)
    return merged([slice_for_run(run=run) for run in finished] + _feed_slices(since=last.started_at))


def _feed_slices(*, since) -> list[Slice]:
    """The local months and boroughs of the calls the live dispatch feed created or changed since `since` (they
    belong to no import run): the hourly catch-up counts them too."""
    calls = Incident.objects.filter(pk__in=DispatchUpdate.objects.filter(received_at__gte=since).values("incident_id"))
    touched = set(calls.values_list("local_date", "borough_id").distinct())
    months = {f"{day:%Y-%m}" for day, _borough in touched if day}
    if not months:
        return []
    return [Slice(months=tuple(sorted(months)), boroughs=tuple(sorted({code or "" for _day, code in touched})))]


def merged(slices: list[Slice]) -> Slice:
    """One slice covering all of them (months x boroughs of the union: a superset, never a gap)."""
    if not slices:
        return Slice(months=())
    months = tuple(sorted({month for part in slices for month in part.months or ()}))
    if any(part.months is None for part in slices):
        months = None
    if any(part.boroughs is None for part in slices):
        return Slice(months=months)
    return Slice(months=months, boroughs=tuple(sorted({code for part in slices for code in part.boroughs})))


def slice_for_run(*, run: ImportRun) -> Slice:
    """The local months and boroughs an import touched. Boroughs come from the run's area codes (a borough, or the
    parent of a finer area) and from its incidents; None (every borough) when the run names no areas."""
    months = set(run.months_touched or [])
    if not run.areas_touched:
        return Slice(months=tuple(sorted(months)))
    return Slice(months=tuple(sorted(months)), boroughs=tuple(sorted(_boroughs_touched(run=run, months=months))))


def _boroughs_touched(*, run: ImportRun, months: set[str]) -> set[str]:
    areas = Area.objects.filter(code__in=run.areas_touched).values_list("code", "kind", "parent_id")
    boroughs = {code if kind in BOROUGH_KINDS else parent for code, kind, parent in areas if kind != Area.Kind.FORCE}
    for month in months:
        boroughs |= set(
            Incident.objects.filter(local_days(*month_bounds(month)), import_run=run)
            .annotate(code=Coalesce("borough_id", Value(""), output_field=CharField()))
            .values_list("code", flat=True)
            .distinct()
        )
    return {code for code in boroughs if code is not None}
