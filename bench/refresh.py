"""Incremental analytics refresh after an import against a full rebuild, on PostgreSQL, in the same run.

    DATABASE_URL=postgres://.../dev_x python -m bench.refresh [--rows N] [--batch B] [--keep] [--no-check]

1. Data: --rows synthetic incidents (default 1,000,000) spread over 100 months in time order, 33 boroughs, 4,950
   LSOAs, 20,000 H3 cells, 14 categories, crimes/ASB/calls, 30 % minute precision, inserted by one
   INSERT ... SELECT generate_series (source 'bench', so the bench never touches other rows), then a full refresh.
   One user per role in the demo force's units (bench-<role>): each refresh warms their default dashboards before
   it bumps the cache generation, as the refresh task does, and the bench times that warming apart.
2. Timed baseline: the full rebuild (rollups and every derived result) of that table, while a page-like reader on
   its own connection sums a month of MonthlyCount every 0.2 s: its slowest answer is how long pages waited on it.
3. Import: one new month of --batch rows (default 100,000) with an ImportRun naming its months and areas; timed: the
   incremental refresh for that run. Then the first view after it: each role's default dashboards (strategic,
   tactical, analytical, as the role may open them), each requested once by a signed-in test client (n, p50, p95,
   max). Unless --no-check, a second full rebuild follows and the rollup and derived-result tables after both are
   compared (they must be equal).
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
from django.urls import reverse  # noqa: E402

from accounts.demo import DEMO_ACCOUNT_UNITS, demo_org_create  # noqa: E402
from accounts.models import User  # noqa: E402
from analytics import refresh  # noqa: E402
from analytics.models import (  # noqa: E402
    CalendarEffect,
    CorrelationResult,
    MonthlyCount,
    SeasonalDecomposition,
    StrategicMetric,
)
from analytics.refresh import ROLLUP_MODELS, analytics_refresh  # noqa: E402
from bench._cold import served_client, summary_ms  # noqa: E402
from bench._results import results_write  # noqa: E402
from dashboards.warm import PAGES  # noqa: E402
from ingestion.models import ImportRun  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "refresh.json"
MONTHS = 100
BOROUGHS = 33
LSOAS_PER_BOROUGH = 150
CATEGORIES = ["burglary", "robbery", "theft-from-the-person", "vehicle-crime", "violent-crime", "shoplifting",
              "criminal-damage-arson", "drugs", "public-order", "other-theft", "bicycle-theft", "possession-of-weapons",
              "anti-social-behaviour", "overdose"]  # fmt: skip
# every table a refresh writes; the derived results without their computed_at
COMPARED = [model._meta.db_table for model in (*ROLLUP_MODELS, SeasonalDecomposition, CalendarEffect, StrategicMetric,
                                               CorrelationResult)]  # fmt: skip

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
        for table in COMPARED:
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)
                       if c.name not in ("id", "computed_at")]  # fmt: skip
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


class WarmTimer:
    """Times the warming each refresh does before its generation bump, so the bench reports it apart."""

    def __init__(self):
        self.seconds = 0.0
        self._warm = refresh._dashboards_warm
        refresh._dashboards_warm = self

    def __call__(self) -> None:
        started = time.perf_counter()
        self._warm()
        self.seconds = round(time.perf_counter() - started, 3)


def _viewers() -> list[User]:
    """One user per role, each in the unit of the demo account of that role (no password: the client signs in)."""
    units = demo_org_create()
    return [User.objects.update_or_create(username=f"bench-{role}", defaults={"role": role, "unit": units[code]})[0]
            for role, code in DEMO_ACCOUNT_UNITS.items()]  # fmt: skip


def first_views(viewers: list[User]) -> dict:
    """Each role's default dashboards, requested once each by a signed-in client: what the first visitor after a
    refresh waits for (server time, the real cache)."""
    seconds = []
    for user in viewers:
        client = served_client(user)
        for page in PAGES:
            if user.has_perm(f"dashboards.view_{page}"):
                started = time.perf_counter()
                status = client.get(reverse(f"dashboards:{page}")).status_code
                seconds.append(time.perf_counter() - started)
                if status != 200:
                    raise SystemExit(f"{user.username} /dashboards/{page}/ answered {status}")
    return summary_ms(seconds)


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
    viewers, warm = _viewers(), WarmTimer()
    load_seconds = _insert(rows=args.rows, months=MONTHS, start="2015-01-01 12:00+00", prefix="b-")
    # Baseline: the full rebuild of the table before the import (a conservative baseline: one month smaller).
    full, reads = _timed_with_reader(analytics_refresh, full=True, warm=True)
    full_warm = warm.seconds
    run = ImportRun.objects.create(source="bench", target="bench month", months_touched=["2023-05"],
                                   areas_touched=[f"bench-b{n}" for n in range(BOROUGHS)])  # fmt: skip
    import_seconds = _insert(rows=args.batch, months=1, start="2023-05-01 12:00+00", prefix="i-", run=run.pk)
    first_views(viewers)  # as a server that has answered before: templates compiled, sessions open (nothing kept)
    incremental = _timed(analytics_refresh, run_id=run.pk, warm=True)
    refreshed = incremental - warm.seconds  # the rollups and derived results, without the warming
    summary = {
        "benchmark": "refresh",
        "incidents": args.rows + args.batch,
        "import_rows": args.batch,
        "load_seconds": round(load_seconds, 1),
        "import_seconds": round(import_seconds, 2),
        "full_seconds": full,
        "full_warm_seconds": full_warm,
        "reads_during_full": reads,
        "incremental_seconds": incremental,
        "incremental_warm_seconds": warm.seconds,
        "speedup": round(full / incremental, 1),
        "meets_target": incremental < 10 and full / incremental >= 20,
        "speedup_without_warm": round((full - full_warm) / refreshed, 1),
        "meets_target_without_warm": refreshed < 10 and (full - full_warm) / refreshed >= 20,
        "first_view_after_refresh": first_views(viewers),
    }
    if not args.no_check:
        after_incremental = _rollup_digest()
        summary["full_after_import_seconds"] = _timed(analytics_refresh, full=True, warm=True)
        after_full = _rollup_digest()
        summary["incremental_equals_full"] = after_incremental == after_full
        summary["tables_differing"] = [table for table in COMPARED if after_incremental[table] != after_full[table]]
    if not args.keep:
        _delete_bench_rows()
        analytics_refresh(full=True)
    results_write(RESULTS, summary, echo=False)
    views = summary["first_view_after_refresh"]
    print(
        f"n = {summary['incidents']:,} incidents: full {full} s, incremental {incremental} s ({summary['speedup']}x;"
        f" warming {full_warm} s / {summary['incremental_warm_seconds']} s of those); first view after a refresh:"
        f" n = {views['n']},"
        f" p50 {views['p50_ms']} ms, p95 {views['p95_ms']} ms, max {views['max_ms']} ms",
        flush=True,
    )
    print(json.dumps(summary), flush=True)
    return summary


if __name__ == "__main__":
    main()
