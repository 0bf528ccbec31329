"""Import services: one call per kind of input, each returning the ImportRuns it made."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from pathlib import Path

from django.db import connection

from ingestion.loader import AreaRecord, IncidentRecord, RowError, incident_import, outcome_apply
from ingestion.localtime import source_zone, zone_info
from ingestion.models import ImportRun
from ingestion.readers import CsvInput, InputError, csv_inputs
from ingestion.selectors import run_unmapped
from ingestion.sources import baltimore
from ingestion.sources.cad import CallRows, CallSpec, spec_from_mapping
from ingestion.sources.police_uk import SOURCE as POLICE_UK
from ingestion.sources.police_uk import archive

Progress = Callable[[int], None] | None


def police_uk_archive_import(
    *, paths: list[str | Path], user=None, max_error_rate: float | None = None, progress: Progress = None
) -> list[ImportRun]:
    """Street and stop-and-search rows first (one run per path), then the outcomes that update them (a second run)."""
    archive.archive_check(paths)
    runs = []
    for path in map(str, paths):
        common = {"source": POLICE_UK, "user": user, "max_error_rate": max_error_rate, "progress": progress}
        runs.append(incident_import(target=path, rows=archive.incident_rows([path]), **common))
        if runs[-1].status == ImportRun.Status.SUCCEEDED and archive.archive_check([path])["outcomes"]:
            runs.append(outcome_apply(target=f"{path} (outcomes)", rows=archive.outcome_rows([path]), **common))
    return runs


def calls_import(
    *,
    paths: list[str | Path],
    layout: str = "auto",
    mapping: str | Path | None = None,
    user=None,
    max_error_rate: float | None = None,
    progress: Progress = None,
    vectorised: bool | None = None,
) -> list[ImportRun]:
    """Calls-for-service CSVs (Baltimore layouts, or any CAD export with a mapping file): one run per file.
    `vectorised`: read in blocks with pyarrow (None = on PostgreSQL, where the loader takes staged rows), or row by
    row; both give the same Incidents and rejections."""
    spec_for = _spec_chooser(layout, mapping)
    for csv_input in csv_inputs(paths):  # every header (and the source's zone) checked before anything is imported
        _zone_check(spec_for(csv_input))
    return [
        incident_import(
            source=spec.source,
            target=csv_input.file.name,
            rows=_call_rows(spec, csv_input, vectorised),
            user=user,
            max_error_rate=max_error_rate,
            progress=progress,
        )
        for csv_input in csv_inputs(paths)
        for spec in [spec_for(csv_input)]  # again: choosing the spec adopts its column names on this opening
    ]


def calls_preview(
    *, paths: list[str | Path], layout: str = "auto", mapping: str | Path | None = None, count: int = 5
) -> list[IncidentRecord | RowError]:
    """What the first `count` rows of the first file become (records or rejections); writes nothing."""
    spec_for = _spec_chooser(layout, mapping)
    inputs = csv_inputs(paths)  # held until the rows are read: the file closes when the generator does
    try:
        csv_input = next(inputs)
        rows = (row for row in CallRows(spec_for(csv_input), csv_input) if not isinstance(row, AreaRecord))
        return list(islice(rows, count))
    finally:
        inputs.close()


def _call_rows(spec: CallSpec, csv_input: CsvInput, vectorised: bool | None):
    if vectorised is None:
        vectorised = connection.vendor == "postgresql"
    if vectorised and spec.vector_times is not None:
        from ingestion.sources.cad.batches import CallBatches, vectorisable  # pyarrow: only imports load it

        if vectorisable(spec):
            return CallBatches(spec, csv_input)
    return CallRows(spec, csv_input)


def _zone_check(spec: CallSpec) -> None:
    """A source records in one zone: the newest-first reads bound a period by that zone's local midnights, so calls
    in another zone under the same source name would fall outside the days they are counted in."""
    zone = zone_info(spec.time_zone).key
    recorded = source_zone(spec.source) or zone
    if recorded != zone:
        raise InputError(
            f"source {spec.source!r} already records in {recorded}, these calls in {zone}: give the mapping a "
            'source of its own ("source": "...") so each source keeps one time zone'
        )


def _spec_chooser(layout: str, mapping: str | Path | None):
    if mapping is None:
        return lambda csv_input: baltimore.layout_spec(csv_input, layout)
    spec = spec_from_mapping(mapping)

    def checked(csv_input: CsvInput) -> CallSpec:
        csv_input.require(spec.columns(), f"CAD export matching {mapping}")
        return spec

    return checked


def runs_summary(runs: list[ImportRun], seconds: float) -> dict:
    """The totals a command prints: read = inserted + updated + duplicates + rejected."""
    fields = {
        "read": "rows_read",
        "inserted": "rows_inserted",
        "updated": "rows_updated",
        "duplicates": "rows_duplicate",
        "rejected": "rows_rejected",
        "coordinates_dropped": "coordinates_dropped",
    }
    summary = {name: sum(getattr(run, field) for run in runs) for name, field in fields.items()}
    failed = [run for run in runs if run.status != ImportRun.Status.SUCCEEDED]
    summary.update(
        run_ids=[run.pk for run in runs],
        status="failed" if failed else "succeeded",
        errors=[run.error for run in failed],
        category_other=sum(run.stats.get("category_other", 0) for run in runs),
        unmapped=run_unmapped(runs=runs),
        disagreements=sum(run.stats.get("disagreements", 0) for run in runs),
        seconds=round(seconds, 2),
    )
    return summary
