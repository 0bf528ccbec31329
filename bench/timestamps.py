"""The pages' newest-first Incident reads (the tactical map's points, the live feed, the incident list's first page)
with timestamps read by Django's own timestamptz loader (psycopg's pure-Python one underneath) against psycopg's
compiled loader, which crimedash.postgresql registers; the same requests, in the same run.

    DATABASE_URL=postgres://... python -m bench.timestamps [--rows N] [--repeats R]

On bench.pages' database (an empty one is filled the way bench.pages fills it, without forecasts): each role's
default view, then --repeats requests with filters drawn at random over every dimension the filter bar offers, by a
user of a random role and unit; each read in both loaders in random order, untimed once and then timed (bench.
newest_reads.compare), and their answers, every row's id and time, must be equal. n, p50, p95, p99, max of each. The
last line printed is the JSON summary, also written to bench/results/timestamps.json.
"""

import contextlib
import datetime as dt
import os
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimedash.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
django.setup()

from django.db import connection  # noqa: E402
from django.db.backends.postgresql.psycopg_any import register_tzloader  # noqa: E402

from bench import newest_reads  # noqa: E402
from crimedash.postgresql.base import TIMESTAMPTZ_OID, compiled_utc_loader  # noqa: E402
from dashboards import selectors  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "timestamps.json"
READS = {
    "map points": lambda user, filters: [
        (row["id"], row["occurred_at"]) for row in selectors.incident_points(user=user, filters=filters)
    ],
    "live feed": lambda user, filters: [
        (row.pk, row.occurred_at) for row in selectors.incidents_latest(user=user, filters=filters)
    ],
    "list page": lambda user, filters: [
        (row.pk, row.occurred_at) for row in selectors.incident_page(user=user, filters=filters)["rows"]
    ],
}


@contextlib.contextmanager
def djangos_loader():
    """The connection reads timestamps as Django's backend makes it (crimedash.postgresql's loader after)."""
    connection.ensure_connection()
    register_tzloader(dt.UTC, connection.connection)
    try:
        yield
    finally:
        connection.connection.adapters.register_loader(TIMESTAMPTZ_OID, compiled_utc_loader())


VARIANTS = {"django's loader": djangos_loader, "compiled loader": contextlib.nullcontext}


def main(argv: list[str] | None = None) -> dict:
    return newest_reads.main(argv, variants=VARIANTS, reads=READS, results=RESULTS, seed=7)


if __name__ == "__main__":
    main()
