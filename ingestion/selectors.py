"""Reads of ingestion records for pages, the API and command output."""

from collections import Counter

from crimedash.request_memo import per_request
from ingestion.models import Area, ImportRun

UNMAPPED_SHOWN = 10


def run_unmapped(*, runs: list[ImportRun], limit: int = UNMAPPED_SHOWN) -> list[dict]:
    """The descriptions that fell to "other" most often in these runs, with their counts, commonest first: the words
    a force adds to its category overrides."""
    counts = Counter()
    for run in runs:
        counts.update(run.stats.get("other_descriptions", {}))
    return [{"description": description, "count": count} for description, count in counts.most_common(limit)]


def area_kinds(codes) -> dict[str, str]:
    """{code: kind} of those of these area codes that are stored areas (an H3 cell from a hotspot map may not be)."""
    return area_column(codes, "kind")


def area_column(codes, column: str) -> dict[str, str]:
    """{code: column} of those of these area codes that are stored areas, asked once per request (every rollup read of
    a page with a chosen area asks the kinds; the filter bar, the charts and the panels name the same areas)."""
    return dict(_area_column(tuple(sorted(set(codes))), column))  # a copy: the caller may add to it


@per_request
def _area_column(codes: tuple[str, ...], column: str) -> dict[str, str]:
    return dict(Area.objects.filter(code__in=codes).values_list("code", column)) if codes else {}
