"""Reads of ingestion records for pages, the API and command output."""

from collections import Counter

from ingestion.models import ImportRun

UNMAPPED_SHOWN = 10


def run_unmapped(*, runs: list[ImportRun], limit: int = UNMAPPED_SHOWN) -> list[dict]:
    """The descriptions that fell to "other" most often in these runs, with their counts, commonest first: the words
    a force adds to its category overrides."""
    counts = Counter()
    for run in runs:
        counts.update(run.stats.get("other_descriptions", {}))
    return [{"description": description, "count": count} for description, count in counts.most_common(limit)]
