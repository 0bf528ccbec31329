"""Daily actions at force scale (PostgreSQL): 100,000 open investigations.

Measures (i) recomputing every flag for the force (first run inserts every action; a second run finds them all
current), and (ii) the server time of the supervisor's team queue and the commander's BCU roll-up, cold: Django's
test client, nothing kept from an earlier request (a DummyCache, the project's memos emptied before each one: no
kept page, fragment, selector result or session), n = 200 requests per page (after 5 warm-up rounds), interleaved
round by round with two baselines timed in the same run: /health/ (the request machinery alone) and the bare SQL
of the queue's rows. Reports n, p50, p95, p99 (nearest rank), max and the queries per page, with DEBUG off as in
production. Targets: recompute < 60 s, p95 < 150 ms. Runs in a throw-away test database. Usage:
    DATABASE_URL=postgres://... nice .venv/bin/python -m bench.actions [investigations] [--no-vacuum]
The pages are timed after a VACUUM (ANALYZE) of the action tables, as autovacuum leaves them after the nightly
recompute (`--no-vacuum` times them straight after the bulk load, before any statistics or visibility map).
`import` instead measures the RMS importer (time and peak Python memory, by tracemalloc) on demo exports of two
sizes, one four times the other: memory that stays flat shows it streams.
    DATABASE_URL=postgres://... nice .venv/bin/python -m bench.actions import
"""

import json
import os
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimedash.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG keeps every SQL string in memory: not what is measured
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from django.utils import timezone  # noqa: E402

from bench import _cold  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "actions.json"
IMPORT_RESULTS = Path(__file__).parent / "results" / "actions-import.json"
IMPORT_SIZES = (1_000, 4_000)  # open investigations in each demo export
REPEATS = 200
WARMUP = 5
BATCH = 5000
# (label, user, URL): the baseline first, then the pages with the p95 < 150 ms target.
PAGES = [
    ("baseline_health", None, "/health/"),
    ("supervisor_queue", "supervisor", "/actions/"),
    ("supervisor_queue_overdue_page_2", "supervisor", "/actions/?flag=overdue&page=2"),
    ("bcu_rollup", "commander", "/actions/rollup/"),
    ("bcu_rollup_via_actions", "commander", "/actions/"),
]


def force_create(count: int, today) -> dict:
    """The demo force, 10 officers per team, and `count` open investigations spread over its teams, with
    suspects on bail or RUI, victims, contacts and reviews in every state."""
    from accounts.demo import demo_accounts_create
    from accounts.models import OrgUnit, User
    from investigations.models import CustodyEvent, Investigation, SupervisorReview, Suspect, Victim, VictimContact

    demo_accounts_create(password="bench-password-1")
    rng = random.Random(7)
    teams = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM))
    officers = {team.pk: [] for team in teams}
    new_users = [
        User(username=f"b{team.pk}-{n}", role="officer", unit=team, rank="constable", is_active=False, password="!")
        for team in teams
        for n in range(10)
    ]
    for user in User.objects.bulk_create(new_users, batch_size=BATCH):
        officers[user.unit_id].append(user)
    cases = []
    for number in range(count):
        team = teams[number % len(teams)]
        offence_date = today - timedelta(days=rng.randint(5, 300))
        reported = timezone.make_aware(datetime.combine(offence_date, datetime.min.time()))
        cases.append(
            Investigation(
                crime_reference=f"BENCH/{number:07d}",
                offence=rng.choice(["common_assault", "theft", "burglary_dwelling", "robbery"]),
                offence_class=rng.choice(["summary", "either_way", "either_way", "indictable"]),
                domestic_abuse=rng.random() < 0.2,
                offence_date=offence_date,
                reported_at=reported,
                recorded_at=reported + timedelta(hours=rng.choice([2, 5, 30])),
                officer=rng.choice(officers[team.pk]),
                team=team,
                allocated_date=offence_date + timedelta(days=1),
            )
        )
    cases = Investigation.objects.bulk_create(cases, batch_size=BATCH)
    SupervisorReview.objects.bulk_create(
        [
            SupervisorReview(investigation=case, reviewed_on=today - timedelta(days=rng.randint(1, 60)))
            for case in cases
            if rng.random() < 0.8
        ],
        batch_size=BATCH,
    )
    with_suspect = [case for case in cases if rng.random() < 0.35]
    suspects = Suspect.objects.bulk_create(
        [Suspect(investigation=case, reference="S1", name="Suspect") for case in with_suspect], batch_size=BATCH
    )
    events = []
    for suspect in suspects:
        arrested = today - timedelta(days=rng.randint(10, 200))
        events.append(
            CustodyEvent(
                investigation_id=suspect.investigation_id, suspect=suspect, kind="arrest", occurred_on=arrested
            )
        )
        kind = "bail_start" if rng.random() < 0.5 else "rui"
        events.append(
            CustodyEvent(
                investigation_id=suspect.investigation_id,
                suspect=suspect,
                kind=kind,
                occurred_on=arrested + timedelta(days=1),
            )
        )
    CustodyEvent.objects.bulk_create(events, batch_size=BATCH)
    victims = Victim.objects.bulk_create(
        [
            Victim(investigation=case, reference="V1", name="Victim", enhanced_rights=rng.random() < 0.2)
            for case in cases
            if rng.random() < 0.9
        ],
        batch_size=BATCH,
    )
    VictimContact.objects.bulk_create(
        [
            VictimContact(
                victim=victim,
                investigation_id=victim.investigation_id,
                contacted_on=today - timedelta(days=rng.randint(0, 9)),
            )
            for victim in victims
            if rng.random() < 0.9
        ],
        batch_size=BATCH,
    )
    return {"teams": len(teams), "officers": len(new_users), "suspects": len(suspects), "victims": len(victims)}


def snapshots_create(today, days: int = 90) -> int:
    """Ninety days of trend snapshots (as the nightly task leaves them) so the roll-up reads a real history."""
    from accounts.models import OrgUnit
    from investigations.models import Action, ActionCountSnapshot

    rng = random.Random(3)
    rows = [
        ActionCountSnapshot(
            day=today - timedelta(days=d),
            team=team,
            kind=kind,
            outstanding=rng.randint(20, 400),
            overdue=rng.randint(0, 200),
        )
        for d in range(1, days + 1)
        for team in OrgUnit.objects.filter(kind=OrgUnit.Kind.TEAM)
        for kind in Action.Kind.values
    ]
    return len(ActionCountSnapshot.objects.bulk_create(rows, batch_size=BATCH))


def page_clients() -> dict[str, tuple[Client, str]]:
    """Each timed page: its signed-in client and its URL."""
    from accounts.models import User

    clients = {}
    for label, username, url in PAGES:
        user = User.objects.get(username=username) if username else None
        clients[label] = (_cold.served_client(user, raise_request_exception=True), url)
    return clients


def queue_sql() -> tuple[str, list]:
    """The bare query the supervisor's queue needs: its team's 25 most urgent open actions with their crime
    reference. Its time is what PostgreSQL alone takes for the page's rows, the floor of the page."""
    from accounts.models import User

    team_id = User.objects.get(username="supervisor").unit_id
    sql = (
        "SELECT a.id, a.kind, a.title, a.due_on, i.crime_reference FROM investigations_action a"
        " JOIN investigations_investigation i ON i.id = a.investigation_id"
        " WHERE a.state = 'open' AND a.team_id = %s ORDER BY a.due_on, a.id LIMIT 25"
    )
    return sql, [team_id]


def query_counts(clients: dict) -> dict[str, int]:
    counts = {}
    with _cold.nothing_kept():
        for label, (client, url) in clients.items():
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            counts[label] = len(captured)
    return counts


def pages_measure(repeats: int = REPEATS) -> dict:
    """Every request cold (DummyCache, project memos emptied first), the pages interleaved round by round so the
    machine's noise falls on all alike, each round also timing the bare SQL of the queue and /health/."""
    clients = page_clients()
    sql, params = queue_sql()
    samples = {label: [] for label in [*clients, "baseline_queue_sql"]}
    memos = _cold.project_memos()
    load_before = os.getloadavg()
    with _cold.nothing_kept(), connection.cursor() as cursor:
        for _ in range(WARMUP + repeats):
            for label, (client, url) in clients.items():
                _cold.forget(memos)
                start = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - start
                assert response.status_code == 200, (url, response.status_code)
                samples[label].append(elapsed)
            start = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            samples["baseline_queue_sql"].append(time.perf_counter() - start)
    results = {label: _cold.summary_ms(values[WARMUP:]) for label, values in samples.items()}
    for label, count in query_counts(clients).items():
        results[label]["queries"] = count
    for label, _, _ in PAGES[1:]:
        page = results[label]
        page["p95_minus_health_ms"] = round(page["p95_ms"] - results["baseline_health"]["p95_ms"], 1)
        page["p50_over_queue_sql"] = round(page["p50_ms"] / results["baseline_queue_sql"]["p50_ms"], 1)
        page["target_met"] = page["p95_ms"] < 150
    return {"load_average_before_pages": load_before, "load_average_after_pages": os.getloadavg(), **results}


def import_measure(today) -> dict:
    """Import demo exports of two sizes into an empty database each time; time and peak Python memory."""
    from investigations.demo import investigations_csv_write
    from investigations.importer import investigations_import
    from investigations.models import Investigation

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in IMPORT_SIZES:
            Investigation.objects.all().delete()
            rows = investigations_csv_write(path=Path(folder) / str(size), open_count=size, today=today)
            tracemalloc.start()
            start = time.perf_counter()
            run = investigations_import(path=Path(folder) / str(size) / "investigations.csv", recompute=False)
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            results[f"rows_{rows}"] = {
                "status": run.status,
                "rows_read": run.rows_read,
                "inserted": run.rows_inserted,
                "seconds_under_tracemalloc": round(seconds, 1),
                "peak_python_mib": round(peak / 2**20, 1),
            }
    return results


def in_test_database(measure, results: Path) -> dict:
    """Run `measure()` in a throw-away test database; write and print what it returns."""
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    old = setup_databases(verbosity=0, interactive=False)
    try:
        summary = {**measure(), "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]}
    finally:
        teardown_databases(old, verbosity=0)
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(summary, indent=2, default=str))
    print(json.dumps(summary, default=str))
    return summary


def force_measure(count: int, *, vacuum: bool = True) -> dict:
    from investigations.models import Action
    from investigations.services import actions_compute

    today = timezone.localdate()
    start = time.perf_counter()
    shape = force_create(count, today)
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    first = actions_compute(today=today)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    second = actions_compute(today=today)
    second_s = time.perf_counter() - start
    snapshots_create(today)
    if vacuum:  # as autovacuum leaves the tables after a night's recompute: statistics, visibility map
        with connection.cursor() as cursor:
            for table in ("action", "investigation", "actioncountsnapshot"):
                cursor.execute(f"VACUUM (ANALYZE) investigations_{table}")
    return {
        "open_investigations": count,
        **shape,
        "open_actions": Action.objects.filter(state="open").count(),
        "build_s": round(build_s, 1),
        "recompute_first_s": round(first_s, 1),
        "recompute_first": first,
        "recompute_again_s": round(second_s, 1),
        "recompute_again": second,
        "recompute_target_met": max(first_s, second_s) < 60,
        "vacuumed_before_pages": vacuum,
        "load_average": os.getloadavg(),
        "pages": pages_measure(),
    }


def main() -> dict:
    if not settings.USING_POSTGRES:
        print("bench.actions measures PostgreSQL: set DATABASE_URL=postgres://...")
    if sys.argv[1:2] == ["import"]:
        return in_test_database(lambda: {"import": import_measure(timezone.localdate())}, IMPORT_RESULTS)
    count = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 100_000
    return in_test_database(lambda: force_measure(count, vacuum="--no-vacuum" not in sys.argv), RESULTS)


if __name__ == "__main__":
    main()
