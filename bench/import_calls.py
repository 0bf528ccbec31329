"""Baltimore calls import speed (PostgreSQL): the real importer against a bare COPY + one INSERT ... SELECT.

Writes N calls (ArcGIS layout) with the demo generator, then in the same run:
  baseline  COPY of the file into an unlogged all-text table, plus one INSERT ... SELECT casting it into a typed
            copy of the Incident table with its primary key only (the floor the target is set against);
  indexed   the same into a copy with every index Incident has (LIKE ... INCLUDING ALL), reported beside it: what
            the importer's own inserts must also maintain;
  importer  `manage.py import_calls FILE --json` in a subprocess (parse, taxonomy, H3, COPY to staging, upsert into
            Incident with its indexes), its peak memory read with resource.getrusage(RUSAGE_CHILDREN);
  kill -9   (--kill-check) the import killed half-way, then re-run: the Incident count must equal the clean import's.
Targets: importer <= 2x the baseline (ratio <= 2.0), peak memory < 500 MB, at any --rows.
It deletes the baltimore_911 Incidents of the database it runs on: point DATABASE_URL at a scratch database.
    DATABASE_URL=postgres://.../scratch nice .venv/bin/python -m bench.import_calls [--rows 10000000] [--kill-check]
        [--repeats 3] [--no-indexed]
The ratio reported is the median of the pairs'; "met" asks every pair to meet it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimedash.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench._results import results_write  # noqa: E402
from ingestion.demo.calls import HEADERS, calls_csv_write  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "import_calls.json"
ROOT = Path(__file__).resolve().parent.parent
SOURCE = "baltimore_911"
TARGET_RATIO = 2.0
TARGET_MEMORY_MB = 500
# The import's analytics refresh is queued, not run in-process: the bench times the import alone.
CHILD_ENV = {**os.environ, "CELERY_BROKER_URL": "memory://", "CELERY_TASK_ALWAYS_EAGER": "0"}

BASELINE_INSERT = r"""
INSERT INTO bench_incident (source, source_key, kind, category, raw_category, occurred_at, time_precision, time_zone,
    local_date, local_hour, local_weekday, latitude, longitude, h3_cell, location_text, borough_id, neighborhood_id,
    post_id, zip_code_id, priority, status, outcome, outcome_history, context, origin, updated_at)
SELECT 'baltimore_911', "recordId", 'call', lower(description), description, o.t, 'minute', 'America/New_York',
    (o.t AT TIME ZONE 'America/New_York')::date, extract(hour FROM o.t AT TIME ZONE 'America/New_York'),
    extract(isodow FROM o.t AT TIME ZONE 'America/New_York'),
    (regexp_match(location, '\(([-0-9.]+),'))[1]::float8, (regexp_match(location, ',\s*([-0-9.]+)\)'))[1]::float8,
    '', "incidentLocation", 'bal-district:' || upper("PoliceDistrict"), 'bal-neighborhood:' || upper("Neighborhood"),
    'bal-post:' || "PolicePost", 'bal-zip:' || "ZIPCode", priority, '', '', '[]'::jsonb, "callNumber",
    'public_report', now()
FROM bench_calls_text, LATERAL (SELECT "callDateTime"::timestamptz AS t) o
"""


def incidents_clear() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ingestion_incident WHERE source = %s", [SOURCE])
        cursor.execute("VACUUM ingestion_incident")


def incidents_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ingestion_incident WHERE source = %s", [SOURCE])
        return cursor.fetchone()[0]


def baseline_seconds(path: Path, *, indexed: bool) -> float:
    """The floor: COPY into an unlogged all-text table plus one casting INSERT ... SELECT into a typed copy of
    Incident with its primary key only (the issue's floor); with indexed=True, with every index Incident has."""
    columns = ", ".join(f'"{name}" text' for name in HEADERS["arcgis"])
    like = "INCLUDING ALL" if indexed else "INCLUDING DEFAULTS INCLUDING IDENTITY"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_calls_text, bench_incident")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_calls_text ({columns})")
        cursor.execute(f"CREATE TABLE bench_incident (LIKE ingestion_incident {like})")
        if not indexed:
            cursor.execute("ALTER TABLE bench_incident ADD PRIMARY KEY (id)")
        started = time.monotonic()
        with open(path, "rb") as fh, cursor.copy("COPY bench_calls_text FROM STDIN (FORMAT csv, HEADER true)") as copy:
            while block := fh.read(1 << 20):
                copy.write(block)
        cursor.execute(BASELINE_INSERT)
        seconds = time.monotonic() - started
        cursor.execute("DROP TABLE bench_calls_text, bench_incident")
    return seconds


def importer_command(path: Path) -> list[str]:
    return [sys.executable, str(ROOT / "manage.py"), "import_calls", str(path), "--json", "--skip-checks"]


def importer_run(path: Path) -> tuple[float, dict]:
    started = time.monotonic()
    done = subprocess.run(importer_command(path), capture_output=True, text=True, cwd=ROOT, check=True, env=CHILD_ENV)
    return time.monotonic() - started, json.loads(done.stdout.strip().splitlines()[-1])


def kill_check(path: Path, clean_count: int, clean_seconds: float) -> dict:
    """Kill -9 the import half-way, re-run it: nothing partial may remain and the re-run completes the file."""
    incidents_clear()
    child = subprocess.Popen(
        importer_command(path), cwd=ROOT, env=CHILD_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(clean_seconds / 2)
    killed_while_running = child.poll() is None
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    after_kill = incidents_count()
    _, summary = importer_run(path)
    return {
        "killed_while_running": killed_while_running,
        "incidents_after_kill": after_kill,
        "incidents_after_rerun": incidents_count(),
        "clean_import_incidents": clean_count,
        "rerun_inserted": summary["inserted"],
        "ok": killed_while_running and after_kill == 0 and incidents_count() == clean_count,
    }


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--kill-check", action="store_true")
    parser.add_argument("--repeats", type=int, default=1, help="floor and importer alternated this many times")
    parser.add_argument("--no-indexed", action="store_true", help="skip the copy with every index (minutes at 1 M)")
    args, _ = parser.parse_known_args(sys.argv[1:] if __name__ == "__main__" else [])
    if not settings.USING_POSTGRES:
        result = {"skipped": "needs PostgreSQL (set DATABASE_URL)"}
        print(json.dumps(result))
        return result
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calls.csv"
        calls_csv_write(path=path, rows=args.rows, layout="arcgis")
        result = measure(path, args)
    return results_write(RESULTS, result)


def measure(path: Path, args) -> dict:
    """The floor and the importer alternated `repeats` times (this machine is shared: a pair shares its noise);
    the figures are the medians of the pairs."""
    pairs = []
    for _ in range(args.repeats):
        incidents_clear()
        baseline = baseline_seconds(path, indexed=False)
        seconds, summary = importer_run(path)
        pairs.append({"baseline_seconds": round(baseline, 1), "import_seconds": round(seconds, 1),
                      "ratio": round(seconds / baseline, 2)})  # fmt: skip
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    baseline = statistics.median(pair["baseline_seconds"] for pair in pairs)
    seconds = statistics.median(pair["import_seconds"] for pair in pairs)
    ratio = statistics.median(pair["ratio"] for pair in pairs)
    indexed = None if args.no_indexed else baseline_seconds(path, indexed=True)
    result = {
        "rows": args.rows,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "baseline_seconds": round(baseline, 1),
        "baseline_rows_per_s": round(args.rows / baseline),
        "indexed_baseline_seconds": indexed and round(indexed, 1),
        "ratio_to_indexed_baseline": indexed and round(seconds / indexed, 2),
        "import_seconds": round(seconds, 1),
        "import_rows_per_s": round(args.rows / seconds),
        "ratio": ratio,
        "pairs": pairs,
        "target_ratio": TARGET_RATIO,
        "peak_memory_mb": round(peak_mb),
        "target_memory_mb": TARGET_MEMORY_MB,
        "met": max(pair["ratio"] for pair in pairs) <= TARGET_RATIO and peak_mb < TARGET_MEMORY_MB,
        "import_summary": {k: summary[k] for k in ("read", "inserted", "duplicates", "rejected", "category_other")},
    }
    if args.kill_check:
        result["kill_check"] = kill_check(path, incidents_count(), seconds)
    return result


if __name__ == "__main__":
    main()
