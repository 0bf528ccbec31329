"""The pages' newest-first Incident reads (the tactical map's points, the live feed, the incident list's first page)
with the local-day condition asked plainly (`ingestion.localtime.local_days`, which PostgreSQL estimates as
independent of the occurred_at range it nearly repeats) against asked as one CASE (`local_days_on_time_index`,
what the reads use), the same requests, in the same run.

    DATABASE_URL=postgres://... python -m bench.newest_reads [--rows N] [--repeats R]

On bench.pages' database (an empty one is filled the way bench.pages fills it, without forecasts). First each
role's default view (no filter), then --repeats requests drawing filters at random over every dimension the filter
bar offers and a user of a random role and unit. For each request and read, both conditions run in random order,
each once untimed (so both find the same pages in memory) and once timed, and their answers must be equal. n, p50,
p95, p99, max of each. The last line printed is the JSON summary, also written to bench/results/newest_reads.json.
"""

import argparse
import functools
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

from bench import _cold, pages  # noqa: E402
from bench._results import results_write  # noqa: E402
from dashboards import selectors  # noqa: E402
from dashboards.filters import filters_from_query  # noqa: E402
from ingestion.localtime import local_days, local_days_on_time_index  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "newest_reads.json"
# the plain condition bounds occurred_at by UTC midnights widened a day whatever zone the reads name
CONDITIONS = {"plain": lambda start, end, zone="": local_days(start, end), "one case": local_days_on_time_index}
READS = {
    "map points": lambda user, filters: [row["id"] for row in selectors.incident_points(user=user, filters=filters)],
    "live feed": lambda user, filters: [row.pk for row in selectors.incidents_latest(user=user, filters=filters)],
    "list page": lambda user, filters: [row.pk for row in selectors.incident_page(user=user, filters=filters)["rows"]],
}


@contextmanager
def day_condition(name: str):
    """The reads with one of the two ways of asking the local day (dashboards.selectors calls it by this name)."""
    chosen = selectors.local_days_on_time_index
    selectors.local_days_on_time_index = CONDITIONS[name]
    try:
        yield
    finally:
        selectors.local_days_on_time_index = chosen


def timed_read(read, variant, *, user, filters, memos) -> tuple[float, list]:
    """One read's time in `variant` (a context manager: how the read is made), after an untimed read in it."""
    with _cold.nothing_kept(), variant():
        _cold.forget(memos)
        read(user, filters)  # untimed: both variants meet the same pages in memory
        _cold.forget(memos)
        started = time.perf_counter()
        answer = read(user, filters)
        return time.perf_counter() - started, answer


def compare(requests: list, memos: list, rng, variants: dict | None = None, reads: dict = READS) -> dict:
    """Each read of each request in every variant ({name: context manager}; by default the two day conditions), in
    random order; the variants must give equal answers."""
    variants = variants or {name: functools.partial(day_condition, name) for name in CONDITIONS}
    seconds = {(read, name): [] for read in reads for name in variants}
    for user, query in requests:
        filters = filters_from_query(QueryDict(urlencode(query)))
        for read_name, read in reads.items():
            answers = []
            for name in rng.sample(list(variants), len(variants)):
                duration, answer = timed_read(read, variants[name], user=user, filters=filters, memos=memos)
                seconds[read_name, name].append(duration)
                answers.append(answer)
            if any(answer != answers[0] for answer in answers):
                raise AssertionError(f"the variants disagree on the {read_name} for {user.username} {query}")
    return {f"{read} / {name}": _cold.summary_ms(values) for (read, name), values in seconds.items()}


def main(argv: list[str] | None = None, *, variants: dict | None = None, reads: dict = READS,
         results: Path = RESULTS, seed: int = 5) -> dict:  # fmt: skip
    """Both day conditions (or the given `variants` of `reads`, for another benchmark) on each role's default view,
    then on --repeats requests with filters drawn at random."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000, help="incidents to load into an empty database")
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    setup = pages.load_data(rows=args.rows, forecasts=False)
    rng, memos = random.Random(seed), _cold.project_memos()
    catalogue = _cold.Catalogue.build()
    accounts = pages.users()
    scoped = [user for members in pages.scoped_users(accounts).values() for user in members]
    defaults = [(user, {}) for user in accounts.values()] * 10
    drawn = [(rng.choice(scoped), catalogue.random_query(rng)) for _ in range(args.repeats)]
    summary = {
        "incidents": setup["incidents"],
        "default_views": compare(defaults, memos, rng, variants, reads),
        "random_filters": compare(drawn, memos, rng, variants, reads),
    }
    return results_write(results, summary)


if __name__ == "__main__":
    main()
