"""Reads of ingestion records for pages, the API and command output."""

from collections import Counter

from crimedash.request_memo import request_dict
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
    """{code: column} of those of these area codes that are stored areas, each code asked once per request (every
    rollup read of a page with a chosen area asks the kinds; the filter bar, the charts and the panels name the same
    areas, in sets that overlap): only codes the request has not asked about are read."""
    codes = set(codes)
    known = request_dict(("area_column", column))  # code -> value, or None for a code that is no stored area
    unknown = codes - known.keys()
    if unknown:
        found = dict(Area.objects.filter(code__in=unknown).values_list("code", column))
        known.update({code: found.get(code) for code in unknown})
    return {code: known[code] for code in codes if known[code] is not None}
