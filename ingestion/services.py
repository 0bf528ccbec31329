"""Import services: one call per kind of input, each returning the ImportRuns it made."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingestion.loader import incident_import, outcome_apply
from ingestion.models import ImportRun
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
        seconds=round(seconds, 2),
    )
    return summary
