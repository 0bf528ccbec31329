"""What /health/ reports: the database, Redis (cache and sessions), the Celery broker and the age of the last
analytics refresh. Each check answers quickly (short timeouts) and names no host, path or error text."""

from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

TIMEOUT_SECONDS = 1.0


def dependency_checks() -> dict[str, dict]:
    checks = {"database": _database, "redis": _redis, "broker": _broker, "refresh": _refresh}
    return {name: _run(check) for name, check in checks.items()}


def _run(check: Callable[[], dict]) -> dict:
    """{"ok": ..., "state": ...}; a check may answer ok False itself (a stale refresh)."""
    try:
        return {"ok": True, **check()}
    except Exception:  # noqa: BLE001 (any failure of a dependency is "down", whatever it raised)
        return {"ok": False, "state": "unreachable"}


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"state": "up", "vendor": connection.vendor}


_CLIENTS: dict[str, redis.Redis] = {}


def _ping(url: str) -> dict:
    # One client (and connection pool) per URL and process: a load balancer asks every few seconds, and a new
    # connection per check cost more than the check itself.
    client = _CLIENTS.get(url)
    if client is None:
        client = _CLIENTS.setdefault(
            url, redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
        )
    client.ping()
    return {"state": "up"}


def _redis() -> dict:
    return _ping(settings.REDIS_URL) if settings.REDIS_URL else {"state": "not used"}


def _broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url or settings.CELERY_TASK_ALWAYS_EAGER:
        return {"state": "not used (tasks run in the web process)"}
    if url.startswith(("redis://", "rediss://")):
        return _ping(url)
    from crimedash.celery import app

    with app.connection_for_write() as broker:
        broker.ensure_connection(max_retries=1, timeout=TIMEOUT_SECONDS)
    return {"state": "up"}


def _refresh() -> dict:
    from analytics.models import RefreshRun

    last = RefreshRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    if last is None:
        return {"state": "no refresh yet", "age_seconds": None}
    age = (timezone.now() - last).total_seconds()
    fresh = age <= settings.HEALTH_REFRESH_MAX_AGE_HOURS * 3600
    return {"ok": fresh, "state": "fresh" if fresh else "stale", "age_seconds": round(age)}
