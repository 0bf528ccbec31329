"""The analytics refresh: rollups for what an import changed (or everything), then every result derived from them."""

import time

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Coalesce

from analytics import correlation, metrics, response_rollups, temporal
from analytics.models import RefreshRun
from analytics.rollups import TABLES, Slice, month_bounds, rollups_rebuild
from crimedash.caching import bump_generation
from crimedash.dbstats import tables_analyze
from ingestion.localtime import local_days
from ingestion.models import Area, ImportRun, Incident

BOROUGH_KINDS = (Area.Kind.BOROUGH, Area.Kind.BCU, Area.Kind.DISTRICT)


def analytics_refresh(*, run_id: int | None = None, full: bool = False) -> RefreshRun:
    """Refresh after import `run_id` (only its months x boroughs); with no run, what the imports finished since the
    last refresh touched (the hourly catch-up); everything with full=True or on the first refresh."""
    started = time.perf_counter()
    where = refresh_slice(run_id=run_id, full=full)
    rows = {}
    if where.months != ():  # () means nothing changed since the last refresh
        with transaction.atomic():
            rows = rollups_rebuild(where=where)
            rows |= response_rollups.response_rollups_rebuild(where=where)
            temporal.temporal_refresh(boroughs=where.boroughs)
            correlation.correlations_refresh()
            metrics.strategic_metrics_refresh()
        tables_analyze(tables=TABLES + response_rollups.TABLES)
        bump_generation()
    return RefreshRun.objects.create(
        run_id=run_id,
        full=where.months is None,
        months=list(where.months or []),
        boroughs=list(where.boroughs or []),
        rows=rows,
        seconds=round(time.perf_counter() - started, 3),
    )


def refresh_slice(*, run_id: int | None, full: bool) -> Slice:
    last = RefreshRun.objects.order_by("-started_at").first()
    if full or last is None:
        return Slice()
    if run_id is not None:
        return slice_for_run(run=ImportRun.objects.get(pk=run_id))
    finished = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED, finished_at__gte=last.started_at)
    return merged([slice_for_run(run=run) for run in finished])


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
