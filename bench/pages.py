"""Dashboard page speed on PostgreSQL with a large incident table.

    DATABASE_URL=postgres://... REDIS_URL=redis://... python -m bench.pages [--rows N] [--seconds S] [--clients C]

1. Data (an empty database only; a filled one is reused): the demo's files in the real source formats, scaled to
   --rows (a police.uk archive of London crimes, outcomes and stops, and Baltimore 911 calls), loaded by the real
   importers (import_reference, import_police_uk, import_calls), then the full analytics refresh (all timed).
2. Baseline, same run: the naive query a dashboard would run without rollups (GROUP BY on Incident).
3. Cold server time of every page type through Django's test client (bench/_cold.py): n = --repeats requests each,
   nothing kept between requests (DummyCache, project memos emptied), filters drawn at random over period, area at
   any level, kind, source and category, users of each role in random units; each request followed by the naive
   GROUP BY with the same filters. n, p50, p95, p99, max per page type; kept (cached) pages reported apart; each
   role's default pages right after a full refresh run by the refresh task (which warms the default dashboards);
   cold requests drawn the same way during a full refresh against the same requests on the idle machine.
4. Load: gunicorn on loopback, --clients signed-in users for --seconds, each URL carrying filters no one sent before;
   errors and latency percentiles, after the same clients on /health/ as the run's baseline. Twice: users who send
   their next request as soon as the last is answered, then other users who pause a mean of --think seconds.
The last line printed is the JSON summary, also written to bench/results/pages.json.
"""

import argparse
import functools
import html
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimedash.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG keeps every SQL string in memory: not what is measured
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.demo import demo_accounts_create  # noqa: E402
from accounts.models import User  # noqa: E402
from analytics.forecasting.refresh import forecasting_refresh  # noqa: E402
from analytics.models import SeasonalDecomposition  # noqa: E402
from analytics.refresh import analytics_refresh  # noqa: E402
from analytics.tasks import refresh_analytics  # noqa: E402
from bench import _cold  # noqa: E402
from bench._results import results_write  # noqa: E402
from demo.writer import CALLS, CRIMES_PER_MONTH, MONTHS, STOPS_PER_MONTH, last_full_month  # noqa: E402
from ingestion.demo.calls import calls_csv_write  # noqa: E402
from ingestion.demo.places import (  # noqa: E402
    boroughs_geojson_write,
    demo_places_build,
    deprivation_csv_write,
    population_csv_write,
    resources_csv_write,
)
from ingestion.demo.police_uk import ArchiveSpec, month_list, police_uk_zip_write  # noqa: E402
from ingestion.models import Incident  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "pages.json"
PASSWORD = "bench-password-not-secret-0"
# The worker's full refresh (the refresh task, as beat sends it), for a process of its own.
REFRESH_TASK = (
    "import django; django.setup(); from analytics.tasks import refresh_analytics; refresh_analytics(full=True)"
)
NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')
DATA_ENDPOINTS = [
    "/api/analytics/kpis/",
    "/api/analytics/monthly/",
    "/api/analytics/areas/",
    "/api/analytics/categories/",
    "/api/analytics/hour-weekday/",
    "/api/analytics/calls/",
    "/api/analytics/calendar-effects/",
    "/api/analytics/strategic-metrics/",
    "/api/analytics/filter-options/",
    "/api/analytics/seasonal/?area=puk-force:metropolitan",
    "/api/analytics/monthly-counts/",
    "/api/analytics/alerts/",
    "/api/hotspot-runs/",
    "/api/demand-forecasts/",
    "/api/deployment-plans/",
    "/api/dispatch/recent/",
]
ROLE_URLS = {
    "executive": ["/dashboards/strategic/", "/dashboards/strategic/briefing/"],
    "commander": ["/dashboards/strategic/", "/dashboards/tactical/", "/dashboards/incidents/", "/api/dispatch/recent/"],
    "analyst": [
        "/dashboards/strategic/",
        "/dashboards/tactical/",
        "/dashboards/analytical/",
        "/dashboards/incidents/",
        "/dashboards/export/analytical.csv",
        "/dashboards/export/tactical.geojson",
        *DATA_ENDPOINTS,
    ],
}


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


# --- data ------------------------------------------------------------------------------------------------------


def load_data(*, rows: int, forecasts: bool) -> dict:
    """Fill an empty database through the real importers; a database a previous run filled is reused as it is."""
    setup = {}
    if not Incident.objects.exists():
        with tempfile.TemporaryDirectory() as folder:
            setup["files"] = demo_files(Path(folder), rows)
            setup["import_seconds"] = imports_run(Path(folder))
        setup["refresh_full_seconds"], _ = timed(analytics_refresh, full=True)
    if forecasts:  # slow on a shared machine; the pages read its few stored rows either way
        setup["forecasting_refresh_seconds"], _ = timed(forecasting_refresh)
    setup["incidents"] = Incident.objects.count()
    return setup


def demo_files(folder: Path, rows: int) -> dict:
    """The demo's police.uk archive (London) and Baltimore calls, scaled so that together they hold about `rows`."""
    scale = rows / (CRIMES_PER_MONTH * MONTHS + CALLS)
    places = demo_places_build(seed=7, boundaries_path=settings.SHARED_DATA_DIR / "london-boroughs.geojson")
    months = month_list(end=last_full_month(timezone.now()), count=MONTHS)
    spec = ArchiveSpec(months, int(CRIMES_PER_MONTH * scale), int(STOPS_PER_MONTH * scale), 7)
    boroughs_geojson_write(path=folder / "boroughs.geojson", places=places)
    population_csv_write(path=folder / "population.csv", places=places)
    deprivation_csv_write(path=folder / "deprivation.csv", places=places, seed=7)
    resources_csv_write(path=folder / "resources.csv", years=sorted({int(m[:4]) for m in months}), seed=7)
    return {
        "scale": round(scale, 1),
        "police_uk_street_rows": police_uk_zip_write(path=folder / "police-uk.zip", places=places, spec=spec),
        "calls_rows": calls_csv_write(path=folder / "calls.csv", rows=int(CALLS * scale)),
    }


def imports_run(folder: Path) -> dict:
    seconds = {}
    for kind in ("boundaries", "population", "deprivation", "resources"):
        name = {"boundaries": "boroughs.geojson"}.get(kind, f"{kind}.csv")
        seconds[kind], _ = timed(call_command, "import_reference", kind, str(folder / name), verbosity=0)
    seconds["police_uk"], _ = timed(call_command, "import_police_uk", str(folder / "police-uk.zip"), verbosity=0)
    seconds["calls"], _ = timed(call_command, "import_calls", str(folder / "calls.csv"), verbosity=0)
    return {name: round(value, 1) for name, value in seconds.items()}


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
            result[name] = _cold.summary_ms(durations)
    return result


# --- server time through the test client ------------------------------------------------------------------------


def users() -> dict[str, User]:
    demo_accounts_create(password=PASSWORD)
    return {role: User.objects.get(username=role) for role in ROLE_URLS}


def scoped_users(accounts: dict) -> dict[str, list[User]]:
    """Per role, a user in each unit the role can sit in (a commander per BCU, ...): scope is drawn at random too."""
    from accounts.models import OrgUnit

    scoped = {}
    for role, model in accounts.items():
        units = OrgUnit.objects.filter(kind=model.unit.kind) if model.unit else []
        others = [unit for unit in units if unit != model.unit]
        scoped[role] = [model] + [
            User.objects.update_or_create(username=f"bench-{role}-{u.code}", defaults={"role": role, "unit": u})[0]
            for u in others
        ]
    return scoped


def page_types() -> list[tuple[str, str]]:
    """(role, url) for every page and data endpoint, the partial body a filter change fetches, the briefing PDF,
    exports, the incident list's second page and an incident's detail page."""
    types = [(role, url) for role, urls in ROLE_URLS.items() for url in urls]
    types += [(role, url + "#partial") for role, url in types if url.startswith("/dashboards/") and url.endswith("/")]
    types += [("executive", "/dashboards/strategic/briefing.pdf"), ("analyst", "/dashboards/incidents/#page2")]
    types += [("commander", "/dashboards/incidents/<pk>/")]
    return types


def cold_get(client: Client, url: str, query: dict, rng, forget=lambda: None) -> tuple[float, object]:
    """One timed GET of a page type (the anchors name the variants) with the drawn filters; `forget` empties the
    memos right before the timed request (the second page's first page would otherwise leave them warm)."""
    headers = {"HTTP_X_DASHBOARD_PARTIAL": "1"} if url.endswith("#partial") else {}
    url = url.removesuffix("#partial")
    if url.endswith("#page2"):  # the list's second page: follow the first page's "older" link; only it is timed
        first_page = _with_query(url.removesuffix("#page2"), query)
        found = NEXT_LINK.search(client.get(first_page).content.decode())
        forget()
        return timed(client.get, url.removesuffix("#page2") + html.unescape(found.group(1)) if found else first_page)
    if "<pk>" in url:  # an incident's page: one the user may see, drawn at random
        visible = Incident.objects.filter(borough_id=client.bench_user.unit.area_code).values_list("pk", flat=True)
        count = visible.count()
        return timed(client.get, url.replace("<pk>", str(visible[rng.randrange(count)] if count else 0)))
    return timed(client.get, _with_query(url, query), **headers)


def naive_time(query: dict) -> float:
    sql, params = _cold.naive_sql(query)
    with connection.cursor() as cursor:
        seconds, _ = timed(cursor.execute, sql, params)
        cursor.fetchall()
    return seconds


def server_times(accounts: dict, repeats: int, seed: int = 13) -> dict:
    """Every page type `repeats` times, each request cold (nothing kept, no memo) with filters drawn at random over
    every dimension and a user of the role in a random unit; after each, the naive GROUP BY with the same filters
    (interleaved, so both see the same machine)."""
    rng = random.Random(seed)
    catalogue = _cold.Catalogue.build()
    scoped = scoped_users(accounts)
    memos = _cold.project_memos()
    results = {}
    with _cold.nothing_kept():
        clients = cold_clients(scoped)
        # the process's first request of each page type compiles its templates and imports its code, once per
        # worker (a served worker does that before its first user): one untimed request each, unfiltered
        for role, url in page_types():
            cold_get(clients[role][0], url, {}, random.Random(0))
        for role, url in page_types():
            durations, naive, statuses, slowest = [], [], Counter(), []
            for _ in range(repeats):
                query = catalogue.random_query(rng)
                _cold.forget(memos)
                client = rng.choice(clients[role])
                seconds, response = cold_get(client, url, query, rng, forget=lambda: _cold.forget(memos))
                durations.append(seconds)
                slowest = sorted([*slowest, (seconds, client.bench_user.username, query)], key=lambda s: -s[0])[:3]
                statuses[response.status_code] += 1
                naive.append(naive_time(query))
            results[f"{role} {url}"] = {
                "statuses": dict(statuses),
                "cold": _cold.summary_ms(durations),
                "naive_group_by": _cold.summary_ms(naive),
                "p50_vs_naive": round(statistics.median(durations) / statistics.median(naive), 3),
                # to reproduce the tail: the three slowest requests, with their user and filters
                "slowest": [{"ms": round(s * 1000, 1), "user": user, "query": q} for s, user, q in slowest],
            }
    return results


def cold_clients(scoped: dict[str, list[User]]) -> dict[str, list[Client]]:
    """A served, signed-in test client per scoped user, by role (inside _cold.nothing_kept)."""
    clients = {}
    for role, members in scoped.items():
        for user in members:
            client = _cold.served_client(user)
            client.bench_user = user
            clients.setdefault(role, []).append(client)
    return clients


def during_full_refresh(accounts: dict, requests: int, seed: int = 17) -> dict:
    """Cold pages while a full refresh runs, against the same requests on the idle machine just before: `requests`
    (page type, filters, user) drawn at random once; idle, each is sent once; during the refresh, they are sent in
    turn, again and again, until it ends. The refresh runs as the worker runs it: the refresh task (which warms the
    default dashboards), in a process of its own."""
    rng = random.Random(seed)
    catalogue = _cold.Catalogue.build()
    memos = _cold.project_memos()
    plan = [(rng.choice(page_types()), catalogue.random_query(rng), rng.random()) for _ in range(requests)]
    with _cold.nothing_kept():
        clients = cold_clients(scoped_users(accounts))
        idle = _plan_times(plan, clients, memos)
        started = time.perf_counter()
        worker = subprocess.Popen([sys.executable, "-c", REFRESH_TASK], cwd=ROOT, env=os.environ.copy())
        during = _plan_times(plan, clients, memos, until=lambda: worker.poll() is not None)
    if worker.wait() != 0:
        raise RuntimeError("the full refresh failed")
    idle_summary, during_summary = _cold.summary_ms(idle), _cold.summary_ms(during)
    return {"refresh_seconds": round(time.perf_counter() - started, 1), "idle": idle_summary, "during": during_summary,
            "p95_vs_idle": round(during_summary["p95_ms"] / idle_summary["p95_ms"], 2)}  # fmt: skip


def _plan_times(plan: list, clients: dict, memos: list, until=None) -> list[float]:
    """Each planned request's seconds, cold; with `until`, the plan again and again until it returns True."""
    durations = []
    while True:
        for index, ((role, url), query, pick) in enumerate(plan):
            if until is not None and until():
                return durations
            _cold.forget(memos)
            client = clients[role][int(pick * len(clients[role]))]
            seconds, _response = cold_get(client, url, query, random.Random(index), forget=lambda: _cold.forget(memos))
            durations.append(seconds)
        if until is None:
            return durations


def cached_times(accounts: dict, repeats: int) -> dict:
    """The same default URL asked again and again: what a kept page costs (reported apart, never as cold)."""
    results = {}
    for role, urls in ROLE_URLS.items():
        client = _cold.served_client(accounts[role])
        for url in urls:
            client.get(url)
            results[f"{role} {url}"] = _cold.summary_ms([timed(client.get, url)[0] for _ in range(repeats)])
    return results


def first_view_after_refresh(accounts: dict) -> dict:
    """Each role's default pages, opened once each right after a full refresh run as the refresh task runs it (it
    renders the dashboards users open most before it bumps the generation), with the real cache."""
    clients = {role: _cold.served_client(accounts[role]) for role in ROLE_URLS}
    refresh_analytics(full=True)
    durations = []
    for role, urls in ROLE_URLS.items():
        durations += [timed(clients[role].get, url)[0] for url in urls]
    return _cold.summary_ms(durations)


# --- load ---------------------------------------------------------------------------------------------------------


def session_cookie(user: User) -> str:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    """gunicorn with the production settings file (crimedash/gunicorn.conf.py), its access log discarded."""
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "crimedash" / "gunicorn.conf.py"),
               "crimedash.wsgi:application", "--log-level", "warning"]  # fmt: skip
    env = {**os.environ, "DJANGO_DEBUG": "false", "GUNICORN_BIND": f"127.0.0.1:{port}"}
    env.update({"GUNICORN_WORKERS": str(workers)} if workers else {})
    env.update({"GUNICORN_THREADS": str(threads)} if threads else {})
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.time() + 120  # each worker imports the project on its first request: slow on a busy machine
    while time.time() < deadline:
        try:
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection_.request("GET", "/health/")
            if connection_.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def client_loop(
    port: int, cookie: str, urls: list[str], until: float, out: list, errors: list, think: float = 0.0, seed: int = 0
) -> None:
    """One user: a request, its answer read, then (when `think` > 0) a pause drawn from an exponential distribution of
    mean `think` seconds, as a person reads the page before changing a filter; the first request after a pause drawn
    the same way, so the users do not all start together."""
    rng = random.Random(seed)
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    index = 0
    _pause(rng, think, until)
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
        _pause(rng, think, until)


def _pause(rng: random.Random, think: float, until: float) -> None:
    if think > 0:
        time.sleep(max(0.0, min(rng.expovariate(1 / think), until - time.time())))


WRK_SCRIPT = """
local visitors = {%(visitors)s}
local counter = 0
function setup(thread)
  counter = counter + 1
  local visitor = visitors[counter]
  thread:set("cookie", visitor.cookie)
  thread:set("paths", visitor.paths)
  thread:set("index", counter)  -- visitors of one role start at different pages
end
function request()
  index = index + 1
  return wrk.format("GET", paths[(index - 1) %% #paths + 1], {["Cookie"] = cookie})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d, '
    .. '"status_errors": %%d, "socket_errors": %%d}\\n', summary.requests, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def visitors_create(accounts: dict, clients: int, requests_each: int = 3000, seed: int = 29) -> list:
    """One signed-in user per client, the roles taking turns, each in its demo account's unit: 50 clients are 50
    people (the per-user API throttle and the per-user page frames see them as such). Each visitor's URLs carry
    filters drawn at random, enough that no visitor asks for the same URL twice within the run."""
    rng = random.Random(seed)
    catalogue = _cold.Catalogue.build()
    visitors = []
    for index in range(clients):
        role = list(ROLE_URLS)[index % len(ROLE_URLS)]
        model = accounts[role]
        user, _ = User.objects.update_or_create(
            username=f"bench-{role}-{index}",
            defaults={"role": role, "unit": model.unit, "first_name": "Bench", "last_name": f"{role.title()} {index}"},
        )
        urls = [_with_query(rng.choice(ROLE_URLS[role]), catalogue.random_query(rng)) for _ in range(requests_each)]
        visitors.append((session_cookie(user), urls))
    return visitors


def _with_query(url: str, query: dict) -> str:
    """`url` with the drawn filters, less those it fixes itself (the seasonal endpoint's area). The seasonal endpoint
    names one stored series: a drawn category the force has none for is left out (the API's 404 for a series that
    does not exist is its answer, not a failure; the analytical page links only to series that exist)."""
    query = {name: value for name, value in query.items() if f"{name}=" not in url}
    if "/seasonal/" in url and query.get("category") not in _seasonal_categories(url):
        query.pop("category", None)
    return f"{url}{'&' if '?' in url else '?'}{urlencode(query)}" if query else url


@functools.cache
def _seasonal_categories(url: str) -> frozenset[str]:
    area = parse_qs(urlsplit(url).query)["area"][0]
    return frozenset(SeasonalDecomposition.objects.filter(area_code=area).values_list("category", flat=True))


def load_test(*, visitors: list, seconds: int, workers: int, threads: int, think: float = 0.0, port: int = 8765):
    """The dashboards' mix with never-seen filters, after the same number of clients on the health check (a plain
    Django view with one query): the baseline says what the server, the database and the machine cost before any
    page is drawn. With `think` = 0 every client sends its next request as soon as the last is answered (the most
    the machine can be asked); with `think` > 0 each pauses a mean of `think` seconds between requests, as people
    reading their pages do (python-thread clients: wrk has no per-request pause drawn at random)."""
    process = start_gunicorn(port, workers, threads)
    try:
        runner = load_wrk if shutil.which("wrk") and not think else functools.partial(load_threads, think=think)
        health_clients = [("", ["/health/"])] * len(visitors)
        load_threads(port, health_clients, seconds=3)  # untimed: every worker has answered before the clock starts
        health = runner(port, health_clients, seconds=seconds if think else max(seconds // 4, 5))
        result = runner(port, visitors, seconds=seconds)
    finally:
        process.terminate()
        process.wait(timeout=30)
    config = {"gunicorn_workers": workers or os.cpu_count() * 2 + 1, "gunicorn_threads": threads or 1}
    ratio = round(result["p95_ms"] / health["p95_ms"], 2) if health["p95_ms"] else None
    return {"clients": len(visitors), "seconds": seconds, "think_seconds": think, **config, **result,
            "health_baseline": health, "p95_vs_health": ratio}  # fmt: skip


def load_wrk(port: int, visitors: list, *, seconds: int) -> dict:
    """wrk (C, one thread and one keep-alive connection per visitor) drives the clients: the load generator costs
    the 2-core machine little."""
    name = settings.SESSION_COOKIE_NAME
    table = ", ".join(_lua_visitor(f"{name}={cookie}", urls) for cookie, urls in visitors)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"visitors": table})
    command = ["wrk", "-t", str(len(visitors)), "-c", str(len(visitors)), "-d", f"{seconds}s", "--timeout", "10s",
               "-s", script.name, f"http://127.0.0.1:{port}"]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    os.unlink(script.name)
    line = next(line for line in done.stdout.splitlines() if line.startswith("WRK "))
    measured = json.loads(line[4:])
    return {
        "generator": "wrk",
        "requests": measured["requests"],
        "requests_per_second": round(measured["requests"] / seconds, 1),
        "errors": measured["status_errors"] + measured["socket_errors"],
        "p50_ms": round(measured["p50_us"] / 1000, 1),
        "p95_ms": round(measured["p95_us"] / 1000, 1),
        "p99_ms": round(measured["p99_us"] / 1000, 1),
        "max_ms": round(measured["max_us"] / 1000, 1),
    }


def _lua_visitor(cookie: str, urls: list[str]) -> str:
    paths = ", ".join(json.dumps(url) for url in urls)
    return "{cookie = " + json.dumps(cookie) + ", paths = {" + paths + "}}"


def load_threads(port: int, visitors: list, *, seconds: int, think: float = 0.0) -> dict:
    """Without wrk: one Python keep-alive client per visitor, in threads (they share the machine's cores with the
    server)."""
    latencies, errors = [], []
    until = time.time() + seconds
    threads = [
        threading.Thread(target=client_loop, args=(port, cookie, urls, until, latencies, errors, think, seed))
        for seed, (cookie, urls) in enumerate(visitors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "generator": "python threads",
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / seconds, 1),
        "errors": len(errors),
        "error_samples": errors[:5],
        **_cold.summary_ms(latencies),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=200, help="cold requests per page type (n)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--no-forecasts", action="store_true", help="skip the forecasting refresh (empty panels)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (default: gunicorn.conf.py's)")
    parser.add_argument("--during-requests", type=int, default=200, help="cold requests drawn for the refresh test")
    parser.add_argument("--load-only", action="store_true", help="skip the per-page server times")
    parser.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="a second load run whose users pause a mean of THINK s between requests (0: none)",
    )
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    if not settings.USING_POSTGRES:
        raise SystemExit("bench.pages measures PostgreSQL: set DATABASE_URL")
    result = {"setup": load_data(rows=args.rows, forecasts=not args.no_forecasts), "baseline": baseline()}
    accounts = users()
    if not args.load_only:
        result["pages"] = server_times(accounts, args.repeats)
        result["worst_cold_p95_ms"] = max(page["cold"]["p95_ms"] for page in result["pages"].values())
        result["worst_cold_max_ms"] = max(page["cold"]["max_ms"] for page in result["pages"].values())
        result["cached"] = cached_times(accounts, 20)
        result["first_view_after_refresh"] = first_view_after_refresh(accounts)
        result["during_full_refresh"] = during_full_refresh(accounts, args.during_requests)
    visitors = visitors_create(accounts, args.clients)
    result["load"] = load_test(visitors=visitors, seconds=args.seconds, workers=args.workers, threads=args.threads)
    if args.think:  # other users, so their filters were not sent in the run without pauses either
        visitors = visitors_create(accounts, args.clients, seed=31)
        result["load_with_pauses"] = load_test(visitors=visitors, seconds=args.seconds, workers=args.workers,
                                               threads=args.threads, think=args.think)  # fmt: skip
    result["targets"] = {
        f"load_{name}_no_errors_p95_under_300ms": result[key]["errors"] == 0 and result[key]["p95_ms"] < 300
        for name, key in (("no_pauses", "load"), ("with_pauses", "load_with_pauses"))
        if key in result
    }
    if not args.load_only:
        result["targets"] |= {
            "cold_p95_under_100ms": result["worst_cold_p95_ms"] < 100,
            "cold_max_under_500ms": result["worst_cold_max_ms"] < 500,
            "after_refresh_p95_under_150ms": result["first_view_after_refresh"]["p95_ms"] < 150,
            "during_refresh_p95_within_2x_idle": result["during_full_refresh"]["p95_vs_idle"] <= 2,
        }
    return results_write(RESULTS.with_name("pages-load.json") if args.load_only else RESULTS, result)


if __name__ == "__main__":
    main()
