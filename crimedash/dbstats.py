"""Planner statistics after bulk writes.

This kind of machine runs PostgreSQL with autovacuum off, so a table filled by an import or rewritten by a refresh
keeps the statistics of before (often none) until someone ANALYZEs it, and the planner guesses: a rollup read by a
sequential scan, an upsert joined by nested loops over millions of rows.
"""

from collections.abc import Iterable, Mapping

from django.db import connection

# Autovacuum's own rule (autovacuum_analyze_threshold + autovacuum_analyze_scale_factor): statistics of a table
# whose rows changed by less than this are still good enough to plan by.
ANALYZE_THRESHOLD, ANALYZE_SHARE = 50, 0.1


def tables_analyze(*, tables: Iterable[str], written: Mapping[str, int] | None = None) -> list[str]:
    """ANALYZE each table (PostgreSQL; other databases plan without such statistics). Given the rows just `written`
    per table, only those where they exceed autovacuum's rule, or that were never analyzed: an ANALYZE samples
    30,000 rows however few changed. Returns the tables analyzed."""
    if connection.vendor != "postgresql":
        return []
    tables = list(tables) if written is None else _changed_materially(tables, written)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return tables


def _changed_materially(tables: Iterable[str], written: Mapping[str, int]) -> list[str]:
    tables = list(tables)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'", [tables])
        counted = dict(cursor.fetchall())  # reltuples is -1 until the first ANALYZE
    return [
        table
        for table in tables
        if counted.get(table, -1) < 0 or written.get(table, 0) > ANALYZE_THRESHOLD + ANALYZE_SHARE * counted[table]
    ]
