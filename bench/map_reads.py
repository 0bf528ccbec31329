"""The H3 map's read without a category three ways, the same requests, in the same run: the cells summed from
H3MonthlyCount's months (what it read before H3MonthTotal), from H3MonthTotal's months (before the yearly sums), and
as the map reads now: a period's whole years from H3YearTotal and the months either side from H3MonthTotal.

    DATABASE_URL=postgres://... python -m bench.map_reads [--rows N] [--repeats R]

On bench.pages' database (an empty one is filled the way bench.pages fills it, without forecasts). Each of --repeats
requests draws filters at random over every dimension the filter bar offers but the category (a category reads
H3MonthlyCount and H3YearlyCount either way), fills in the page's default period as the pages do, and a user of a
random role and unit; every read runs for it, in random order, each the map's query (the 300 busiest cells), and
their answers must be equal (up to ties at the 300th cell). n, p50, p95, p99, max of each, for every request and for
those whose period holds a whole year. The last line printed is the JSON summary, also written to
bench/results/map_reads.json.
"""

import argparse
import os
import random
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimedash.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
django.setup()

from django.http import QueryDict  # noqa: E402

from analytics import selectors  # noqa: E402
from analytics.models import H3MonthlyCount, H3MonthTotal, H3YearTotal  # noqa: E402
from analytics.selectors import period_in_force, rollup_counts, whole_years  # noqa: E402
from bench import _cold, pages  # noqa: E402
from bench._results import results_write  # noqa: E402
from dashboards.filters import filters_from_query  # noqa: E402
from dashboards.maps import HEX_LIMIT  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "map_reads.json"
TABLES = (H3MonthlyCount, H3MonthTotal, H3YearTotal)
# name -> (the monthly table read, whether whole years are read from its yearly sums)
READS = {
    "H3MonthlyCount": (H3MonthlyCount, False),
    "H3MonthTotal": (H3MonthTotal, False),
    "H3MonthTotal+H3YearTotal": (H3MonthTotal, True),
}


@contextmanager
def yearly_sums(used: bool):
    """The selectors read whole years from the yearly tables (as the pages do) or, with used=False, every month."""
    kept = dict(selectors.YEARLY_TABLES)
    if not used:
        selectors.YEARLY_TABLES.clear()
    try:
        yield
    finally:
        selectors.YEARLY_TABLES.update(kept)


def map_read(model, *, user, filters, years: bool = True) -> tuple[float, list]:
    with yearly_sums(years):
        started = time.perf_counter()
        rows = rollup_counts(user=user, filters=filters, by=("area_code",), level="h3", model=model, top=HEX_LIMIT)
        duration = time.perf_counter() - started
    # the answer up to ties at the 300th cell, which either read may cut differently
    cut = min((row["total"] for row in rows), default=0)
    return duration, (sorted(row["total"] for row in rows), {row["area_code"] for row in rows if row["total"] > cut})


def compare(repeats: int, seed: int = 5) -> dict:
    rng = random.Random(seed)
    catalogue = _cold.Catalogue.build()
    scoped = [user for members in pages.scoped_users(pages.users()).values() for user in members]
    seconds = {name: [] for name in READS}
    with_years = {name: [] for name in READS}
    for _ in range(repeats):
        query = catalogue.random_query(rng)
        query.pop("category", None)
        filters = period_in_force(filters_from_query(QueryDict(urlencode(query))))
        user = rng.choice(scoped)
        answers = []
        for name in rng.sample(list(READS), len(READS)):
            model, years = READS[name]
            duration, rows = map_read(model, user=user, filters=filters, years=years)
            seconds[name].append(duration)
            if whole_years(filters):
                with_years[name].append(duration)
            answers.append(rows)
        if any(answer != answers[0] for answer in answers):
            raise AssertionError(f"the reads disagree for {user.username} {query}")
    summary = {name: _cold.summary_ms(values) for name, values in seconds.items()}
    if any(with_years.values()):
        summary["periods_holding_a_whole_year"] = {name: _cold.summary_ms(v) for name, v in with_years.items()}
    return summary


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000, help="incidents to load into an empty database")
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    setup = pages.load_data(rows=args.rows, forecasts=False)
    summary = {"incidents": setup["incidents"], "h3_rows": {m.__name__: m.objects.count() for m in TABLES}}
    summary["map_read"] = compare(args.repeats)
    return results_write(RESULTS, summary)


if __name__ == "__main__":
    main()
