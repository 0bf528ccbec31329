"""A force's own words for its call descriptions: CategoryOverride rows imported from a CSV file, and the categories
of stored calls re-derived (overrides first, then the shipped taxonomy) with the rollups refreshed after."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from ingestion.dispatch import SOURCE as DISPATCH_SOURCE
from ingestion.models import CategoryOverride, ImportRun, Incident
from ingestion.readers import InputError, csv_inputs
from ingestion.signals import import_finished_send
from ingestion.taxonomy import categories, categoriser

OVERRIDE_COLUMNS = ["raw_description", "category"]
RECATEGORISE = "recategorise"


def overrides_import(*, path: str | Path) -> tuple[int, int]:
    """Create or update the overrides of a CSV (raw_description, category[, source][, note]); all or nothing.
    Returns (created, updated)."""
    rows = list(_override_rows(path))
    created = 0
    with transaction.atomic():
        for row in rows:
            keys = {"source": row.get("source", ""), "raw_description": row["raw_description"]}
            defaults = {"category": row["category"], "note": row.get("note", "")}
            created += CategoryOverride.objects.update_or_create(**keys, defaults=defaults)[1]
    return created, len(rows) - created


def _override_rows(path: str | Path):
    known = set(categories())
    for csv_input in csv_inputs([path]):
        csv_input.require(OVERRIDE_COLUMNS, "category overrides")
        csv_input.adopt(["source", "note"])
        header = csv_input.header
        for row in csv_input.rows():
            if not isinstance(row, tuple):
                raise InputError(f"{csv_input.file.name}, line {row.line_number}: {row.reason}")
            line, fields = row
            values = {name: value.strip() for name, value in zip(header, fields, strict=True)}
            if not values["raw_description"] or values["category"] not in known:
                raise InputError(
                    f"{csv_input.file.name}, line {line}: expected a description and one of the categories "
                    f"{', '.join(sorted(known))}; got {values['raw_description']!r} -> {values['category']!r}"
                )
            yield values


def incidents_recategorise(*, source: str = "", user=None) -> ImportRun:
    """Re-derive the category of every stored call (of `source`, or of every source) from its raw description.
    Recorded as an ImportRun (read = calls examined, updated = calls whose category changed) whose months and
    boroughs the analytics refresh then rebuilds, as after an import."""
    calls = Incident.objects.filter(kind=Incident.Kind.CALL).exclude(source=DISPATCH_SOURCE)
    if source:
        calls = calls.filter(source=source)
    with transaction.atomic():  # all or nothing, the run's record included
        run = ImportRun.objects.create(
            source=RECATEGORISE, target=f"calls of {source or 'every source'}", created_by=user
        )
        changes, examined = _category_changes(calls)
        stale = calls.filter(_matching(changes)) if changes else calls.none()
        months, boroughs = _touched(stale)
        updated = stale.update(category=_new_category(changes), import_run=run, updated_at=timezone.now())
        _run_finish(run, examined=examined, updated=updated, months=months, boroughs=boroughs)
        transaction.on_commit(lambda: import_finished_send(run=run), robust=True)
    return run


def _category_changes(calls) -> tuple[dict[tuple[str, str], str], int]:
    """{(source, raw description): new category} for the descriptions whose stored category differs; calls seen."""
    groups = calls.values_list("source", "raw_category", "category").annotate(n=Count("id")).order_by()
    changes, examined, by_source = {}, 0, {}
    for call_source, raw, category, count in groups:
        examined += count
        derive = by_source.setdefault(call_source, categoriser(source=call_source))
        if derive(raw) != category:
            changes[(call_source, raw)] = derive(raw)
    return changes, examined


def _matching(changes: dict[tuple[str, str], str]) -> Q:
    query = Q()
    for (call_source, raw), category in changes.items():
        query |= Q(source=call_source, raw_category=raw) & ~Q(category=category)
    return query


def _new_category(changes: dict[tuple[str, str], str]) -> Case:
    whens = [When(source=s, raw_category=raw, then=Value(category)) for (s, raw), category in changes.items()]
    return Case(*whens, output_field=CharField())


def _touched(stale) -> tuple[list[str], list[str]]:
    month = TruncMonth(Coalesce("local_date", TruncDate("occurred_at")))
    pairs = stale.annotate(month=month).values_list("month", "borough_id").distinct().order_by()
    pairs = list(pairs)
    return sorted({f"{m:%Y-%m}" for m, _ in pairs if m}), sorted({b for _, b in pairs if b})


def _run_finish(run: ImportRun, *, examined: int, updated: int, months: list[str], boroughs: list[str]) -> None:
    run.status = ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.rows_read, run.rows_updated, run.rows_duplicate = examined, updated, examined - updated
    run.months_touched, run.areas_touched = months, boroughs
    run.save()
