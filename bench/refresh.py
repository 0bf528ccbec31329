"""Incremental analytics refresh after an import against a full rebuild, on PostgreSQL, in the same run.

    DATABASE_URL=postgres://.../dev_x python -m bench.refresh [--rows N] [--batch B] [--keep]

1. Data: --rows synthetic incidents (default 1,000,000) spread over 100 months in time order, 33 boroughs, 4,950
   LSOAs, 20,000 H3 cells, 14 categories, crimes/ASB/calls, 30 % minute precision, inserted by one
   INSERT ... SELECT generate_series (source 'bench', so the bench never touches other rows), then a full refresh.
2. Timed baseline: the full rebuild (rollups and every derived result) of that table, while a page-like reader on
   its own connection sums a month of MonthlyCount every 0.2 s: its slowest answer is how long pages waited on it.
3. Import: one new month of --batch rows (default 100,000) with an ImportRun naming its months and areas; timed: the
   incremental refresh for that run. Unless --no-check, a second full rebuild follows and the rollup tables after
   both are compared (they must be equal).
The last line printed is the JSON summary, also written to bench/results/refresh.json. Bench rows are deleted at the
end (unless --keep) and the rollups rebuilt from what remains.
"""

import argparse
import json
import os
import threading
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimedash.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402

from analytics.models import MonthlyCount  # noqa: E402
from analytics.refresh import analytics_refresh  # noqa: E402
from ingestion.models import ImportRun  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "refresh.json"
MONTHS = 100
BOROUGHS = 33
LSOAS_PER_BOROUGH = 150
CATEGORIES = ["burglary", "robbery", "theft-from-the-person", "vehicle-crime", "violent-crime", "shoplifting",
              "criminal-damage-arson", "drugs", "public-order", "other-theft", "bicycle-theft", "possession-of-weapons",
              "anti-social-behaviour", "overdose"]  # fmt: skip
ROLLUPS = ["analytics_monthlycount", "analytics_hourweekdaycount", "analytics_dailycount", "analytics_outcomecount"]

# One row per generate_series value, in time order like monthly imports; local day, hour and weekday in London as
# the loader derives them (month-precision rows: the 1st, no hour).
INSERT_SQL = """
INSERT INTO ingestion_incident (source, source_key, kind, category, raw_category, occurred_at, time_precision,
    time_zone, local_date, local_hour, local_weekday, latitude, longitude, h3_cell, location_text, force_id,
    borough_id, lsoa_id, neighborhood_id, post_id, zip_code_id,
    priority, status, outcome, outcome_history, context, origin, import_run_id, updated_at)
SELECT 'bench', %(prefix)s || g, CASE WHEN g %% 10 < 7 THEN 'crime' WHEN g %% 10 < 8 THEN 'asb' ELSE 'call' END,
    (%(categories)s::text[])[1 + (g * 7919) %% %(n_categories)s], '', o.t,
    CASE WHEN g %% 10 >= 7 THEN 'minute' ELSE 'month' END, 'Europe/London',
    CASE WHEN g %% 10 >= 7 THEN (o.t AT TIME ZONE 'Europe/London')::date
         ELSE date_trunc('month', o.t AT TIME ZONE 'UTC')::date END,
    CASE WHEN g %% 10 >= 7 THEN extract(hour FROM o.t AT TIME ZONE 'Europe/London') END,
    CASE WHEN g %% 10 >= 7 THEN extract(isodow FROM o.t AT TIME ZONE 'Europe/London') END, 51.5, -0.1,
    '89195da' || lpad(((g * 31) %% 20000)::text, 5, '0') || 'fff', '', 'bench-force',
    'bench-b' || ((g * 13) %% %(boroughs)s), 'bench-l' || ((g * 13) %% %(boroughs)s) || '-' || ((g * 17) %% %(lsoas)s),
    NULL, NULL, NULL, CASE WHEN g %% 10 >= 8 THEN (ARRAY['High','Medium','Low'])[1 + g %% 3] ELSE '' END, '',
    (ARRAY['', 'Under investigation', 'Offender given a caution', 'Investigation complete; no suspect identified',
           'Awaiting court outcome'])[1 + (g * 3) %% 5],
    '[]'::jsonb, '', CASE WHEN g %% 10 = 6 THEN 'police_generated' ELSE 'public_report' END, %(run)s, now()
FROM generate_series(1::bigint, %(rows)s::bigint) AS g, LATERAL (
    SELECT %(start)s::timestamptz + (((g - 1) * %(months)s / %(rows)s) || ' months')::interval
        + CASE WHEN g %% 10 >= 7 THEN ((g * 104729) %% 40000 || ' minutes')::interval ELSE interval '0' END AS t
) o
"""


def _insert(*, rows: int, months: int, start: str, prefix: str, run: int | None = None) -> float:
    started = time.perf_counter()
    params = {"rows": rows, "months": months, "start": start, "prefix": prefix, "run": run,
              "categories": CATEGORIES, "n_categories": len(CATEGORIES), "boroughs": BOROUGHS,
              "lsoas": LSOAS_PER_BOROUGH}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, params)
        cursor.execute("ANALYZE ingestion_incident")
    return time.perf_counter() - started


def _delete_bench_rows() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ingestion_incident WHERE source = 'bench'")
    ImportRun.objects.filter(source="bench").delete()


def _rollup_digest() -> dict:
    digest = {}
    with connection.cursor() as cursor:
        for table in ROLLUPS:
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table) if c.name != "id"]
            rows = f"SELECT {', '.join(columns)} FROM {table}"
            cursor.execute(f"SELECT md5(string_agg(r::text, '|' ORDER BY r::text)) FROM ({rows}) r")
            digest[table] = cursor.fetchone()[0]
    return digest


def _timed(function, **kwargs) -> float:
    started = time.perf_counter()
    function(**kwargs)
    return round(time.perf_counter() - started, 3)


class Reader(threading.Thread):
    """Reads what a strategic page reads (a month of force counts) until stopped; keeps each answer's seconds."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop, self.seconds = threading.Event(), []

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.perf_counter()
            MonthlyCount.objects.filter(level="force", month="2020-01-01").aggregate(total=Sum("count"))
            self.seconds.append(time.perf_counter() - started)
            self.stop.wait(0.2)
        connection.close()

    def summary(self) -> dict:
        ordered = sorted(self.seconds)
        return {"reads": len(ordered), "p50_s": round(ordered[len(ordered) // 2], 3), "max_s": round(ordered[-1], 3)}


def _timed_with_reader(function, **kwargs) -> tuple[float, dict]:
    reader = Reader()
    reader.start()
    try:
        seconds = _timed(function, **kwargs)
    finally:
        reader.stop.set()
        reader.join()  # a read still waiting on the refresh counts too
    return seconds, reader.summary()


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="Leave the bench rows in place.")
    parser.add_argument("--no-check", action="store_true", help="Skip the second full rebuild that checks equality.")
    args = parser.parse_args(argv)
    if not settings.USING_POSTGRES:
        raise SystemExit("bench.refresh measures PostgreSQL: set DATABASE_URL=postgres://...")
    _delete_bench_rows()
    load_seconds = _insert(rows=args.rows, months=MONTHS, start="2015-01-01 12:00+00", prefix="b-")
    # Baseline: the full rebuild of the table before the import (a conservative baseline: one month smaller).
    full, reads = _timed_with_reader(analytics_refresh, full=True)
    run = ImportRun.objects.create(source="bench", target="bench month", months_touched=["2023-05"],
                                   areas_touched=[f"bench-b{n}" for n in range(BOROUGHS)])  # fmt: skip
    import_seconds = _insert(rows=args.batch, months=1, start="2023-05-01 12:00+00", prefix="i-", run=run.pk)
    incremental = _timed(analytics_refresh, run_id=run.pk)
    summary = {
        "benchmark": "refresh",
        "incidents": args.rows + args.batch,
        "import_rows": args.batch,
        "load_seconds": round(load_seconds, 1),
        "import_seconds": round(import_seconds, 2),
        "full_seconds": full,
        "reads_during_full": reads,
        "incremental_seconds": incremental,
        "speedup": round(full / incremental, 1) if incremental else None,
        "meets_target": incremental < 10 and full / incremental >= 20 if incremental else False,
    }
    if not args.no_check:
        after_incremental = _rollup_digest()
        summary["full_after_import_seconds"] = _timed(analytics_refresh, full=True)
        summary["incremental_equals_full"] = after_incremental == _rollup_digest()
    if not args.keep:
        _delete_bench_rows()
        analytics_refresh(full=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary), flush=True)
    return summary


if __name__ == "__main__":
    main()
