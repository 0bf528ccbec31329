"""Planner statistics after bulk writes.

This kind of machine runs PostgreSQL with autovacuum off, so a table filled by an import or rewritten by a refresh
keeps the statistics of before (often none) until someone ANALYZEs it, and the planner guesses: a rollup read by a
sequential scan, an upsert joined by nested loops over millions of rows.
"""

from collections.abc import Iterable

from django.db import connection


def tables_analyze(*, tables: Iterable[str]) -> None:
    """ANALYZE each table (PostgreSQL; other databases plan without such statistics)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
