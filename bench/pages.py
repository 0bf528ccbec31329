"""Dashboard page speed on PostgreSQL with a large incident table.

    DATABASE_URL=postgres://... REDIS_URL=redis://... python -m bench.pages [--rows N] [--seconds S] [--clients C]

1. Data: the real police.uk sample through the real importer, then synthetic incidents (crimes and calls placed on
   the real sample's locations, minute precision) added by one INSERT ... SELECT until the table holds --rows; then
   the real analytics refresh and forecasting refresh (timed).
2. Baseline, same run: the naive query a dashboard would run without rollups (GROUP BY on Incident).
3. Server time of every dashboard page and data endpoint through Django's test client: uncached (each request with
   filters never seen before) and cached; p50/p95/max per URL.
4. Load: gunicorn on loopback, --clients concurrent keep-alive clients for --seconds over every URL; errors and
   latency percentiles.
The last line printed is the JSON summary, also written to bench/results/pages.json.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimedash.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG keeps every SQL string in memory: not what is measured
django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.demo import demo_accounts_create  # noqa: E402
from accounts.models import User  # noqa: E402
from analytics.forecasting_refresh import forecasting_refresh  # noqa: E402
from analytics.refresh import analytics_refresh  # noqa: E402
from ingestion.models import Area, Incident  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "pages.json"
ARCHIVE = settings.SHARED_DATA_DIR / "police-uk-archive-sample.zip"
PASSWORD = "bench-password-not-secret-0"
CRIME = ["burglary", "anti-social-behaviour", "violent-crime", "shoplifting", "vehicle-crime", "criminal-damage-arson"]
CALLS = ["overdose", "assault", "disorderly", "traffic-accident", "alarm", "suspicious-person"]
ROLE_URLS = {
    "executive": ["/dashboards/strategic/", "/dashboards/strategic/briefing/"],
    "commander": ["/dashboards/strategic/", "/dashboards/tactical/", "/dashboards/incidents/"],
    "analyst": [
        "/dashboards/strategic/",
        "/dashboards/tactical/",
        "/dashboards/analytical/",
        "/dashboards/incidents/",
        "/dashboards/export/analytical.csv",
        "/dashboards/export/tactical.geojson",
    ],
}
SYNTHETIC_SQL = """
CREATE TEMP TABLE bench_places AS
SELECT row_number() OVER () AS n, latitude, longitude, h3_cell, borough_id, lsoa_id, force_id FROM (
    SELECT DISTINCT ON (h3_cell) latitude, longitude, h3_cell, borough_id, lsoa_id, force_id
    FROM ingestion_incident
    WHERE source = 'police_uk' AND borough_id <> '' AND latitude IS NOT NULL AND h3_cell <> ''
) places;
INSERT INTO ingestion_incident (source, source_key, kind, category, raw_category, occurred_at, time_precision,
    latitude, longitude, h3_cell, location_text, priority, status, outcome, outcome_history, context, origin,
    updated_at, borough_id, force_id, lsoa_id)
SELECT 'bench', 'b' || g, CASE WHEN g % 10 < 7 THEN 'crime' ELSE 'call' END,
    CASE WHEN g % 10 < 7 THEN (%(crime)s::text[])[1 + g %% %(ncrime)s]
         ELSE (%(calls)s::text[])[1 + g %% %(ncalls)s] END,
    '', timestamptz '2013-01-01 00:00+00' + (g %% 730) * interval '1 day' + ((g * 7919) %% 1440) * interval '1 minute',
    'minute', p.latitude, p.longitude, p.h3_cell, '',
    CASE WHEN g % 10 < 7 THEN '' ELSE (ARRAY['Low','Medium','High'])[1 + g %% 3] END,
    CASE WHEN g % 3 = 0 THEN 'closed' ELSE 'open' END, '', '[]'::jsonb, '',
    'public_report', now(), p.borough_id, p.force_id, p.lsoa_id
FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g
JOIN bench_places p ON p.n = 1 + g %% (SELECT count(*) FROM bench_places);
"""


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary_ms(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


# --- data ------------------------------------------------------------------------------------------------------


def load_data(*, rows: int, forecasts: bool) -> dict:
    setup = {}
    if not Incident.objects.filter(source="police_uk").exists():
        setup["import_seconds"], _ = timed(call_command, "import_police_uk", str(ARCHIVE), verbosity=0)
    missing = rows - Incident.objects.count()
    if missing > 0:
        existing = Incident.objects.filter(source="bench").count()
        params = {"crime": CRIME, "calls": CALLS, "ncrime": len(CRIME), "ncalls": len(CALLS)}
        params.update(start=existing + 1, stop=existing + missing)
        sql = SYNTHETIC_SQL.replace("g % 10", "g %% 10").replace("g % 3", "g %% 3")
        with connection.cursor() as cursor:
            setup["synthetic_insert_seconds"], _ = timed(cursor.execute, sql, params)
            cursor.execute("ANALYZE ingestion_incident")
        setup["refresh_full_seconds"], _ = timed(analytics_refresh, full=True)
    if forecasts:  # slow on a shared machine; the pages read its few stored rows either way
        setup["forecasting_refresh_seconds"], _ = timed(forecasting_refresh)
    setup["boundaries"] = borough_boundaries_load()
    setup["incidents"] = Incident.objects.count()
    return setup


def borough_boundaries_load() -> int:
    """Borough outlines for the choropleth, from the shared GeoJSON (the importers leave Area.boundary empty)."""
    collection = json.loads((settings.SHARED_DATA_DIR / "london-boroughs.geojson").read_text())
    loaded = 0
    for feature in collection["features"]:
        code = feature["properties"].get("gss_code")
        loaded += Area.objects.filter(code=code, boundary__isnull=True).update(boundary=feature["geometry"])
    return loaded


def baseline() -> dict:
    """What a page would cost reading Incident directly: the comparison chart and a category trend."""
    queries = {
        "group_by_borough": "SELECT borough_id, count(*) FROM ingestion_incident GROUP BY borough_id",
        "group_by_month_category": (
            "SELECT date_trunc('month', occurred_at), category, count(*) FROM ingestion_incident GROUP BY 1, 2"
        ),
    }
    result = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            durations = []
            for _ in range(3):
                seconds, _ = timed(cursor.execute, sql)
                cursor.fetchall()
                durations.append(seconds)
            result[name] = summary_ms(durations)
    return result


# --- server time through the test client ------------------------------------------------------------------------


def users() -> dict[str, User]:
    demo_accounts_create(password=PASSWORD)
    return {role: User.objects.get(username=role) for role in ROLE_URLS}


def uncached_query(index: int) -> str:
    # A date range never requested before: every selector computes from the rollups.
    year, month = 2013 + index // 12 % 2, 1 + index % 12
    return f"date_from={year}-{month:02d}&date_to=2014-12"


def server_times(accounts: dict, repeats: int) -> dict:
    results = {}
    for role, urls in ROLE_URLS.items():
        client = Client()
        client.force_login(accounts[role])
        for url in urls:
            cache.clear()
            uncached = [timed(client.get, f"{url}?{uncached_query(i)}")[0] for i in range(repeats)]
            cached = [timed(client.get, f"{url}?{uncached_query(0)}")[0] for _ in range(repeats)]
            status = client.get(url).status_code
            results[f"{role} {url}"] = {
                "status": status,
                "uncached": summary_ms(uncached),
                "cached": summary_ms(cached),
            }
    return results


# --- load ---------------------------------------------------------------------------------------------------------


def session_cookie(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "crimedash.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--threads", "4", "--worker-class", "gthread", "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env={**os.environ, "DJANGO_DEBUG": "false"})
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection_.request("GET", "/health/")
            if connection_.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def client_loop(port: int, cookie: str, urls: list[str], until: float, out: list, errors: list) -> None:
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    index = 0
    while time.time() < until:
        url = urls[index % len(urls)]
        index += 1
        started = time.perf_counter()
        try:
            connection_.request("GET", url, headers=headers)
            response = connection_.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{response.status} {url}")
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{type(error).__name__} {url}")
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        out.append(time.perf_counter() - started)


def load_test(accounts: dict, *, clients: int, seconds: int, port: int = 8765, workers: int = 3) -> dict:
    process = start_gunicorn(port, workers)
    try:
        cookies = {role: session_cookie(user) for role, user in accounts.items()}
        roles = list(ROLE_URLS)
        for role in roles:  # warm each worker's cache of pages once, as a running site has
            for url in ROLE_URLS[role]:
                client_loop(port, cookies[role], [url], time.time() + 0.2, [], [])
        latencies, errors = [], []
        until = time.time() + seconds
        threads = [
            threading.Thread(
                target=client_loop,
                args=(port, cookies[roles[i % len(roles)]], ROLE_URLS[roles[i % len(roles)]], until, latencies, errors),
            )
            for i in range(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / seconds, 1),
        "errors": len(errors),
        "error_samples": errors[:5],
        **summary_ms(latencies),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--forecasts", action="store_true", help="also run the forecasting refresh before measuring")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    if not settings.USING_POSTGRES:
        raise SystemExit("bench.pages measures PostgreSQL: set DATABASE_URL")
    result = {"setup": load_data(rows=args.rows, forecasts=args.forecasts), "baseline": baseline()}
    accounts = users()
    result["pages"] = server_times(accounts, args.repeats)
    worst = max(page["uncached"]["p95_ms"] for page in result["pages"].values())
    result["worst_uncached_p95_ms"] = worst
    result["worst_cached_p95_ms"] = max(page["cached"]["p95_ms"] for page in result["pages"].values())
    result["load"] = load_test(accounts, clients=args.clients, seconds=args.seconds)
    result["ok"] = worst < 100 and result["load"]["errors"] == 0 and result["load"]["p95_ms"] < 300
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
