"""Cold requests with filters nobody asked for before: what bench.pages measures as "cold".

Cold means nothing kept from an earlier request: Django's cache is swapped for a DummyCache (kept pages, fragments,
selector results, cached sessions and version counters all miss), and every functools memo of the project's own
modules is emptied before each request. Filters are drawn at random over every dimension the filter bar offers
(period, area at any level, kind, source, category) and every scope (a user of each role in a random unit).
"""

from __future__ import annotations

import functools
import gc
import random
import statistics
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection
from django.test import Client, override_settings

PROJECT_PACKAGES = ("accounts", "analytics", "crimedash", "dashboards", "ingestion", "investigations")
DUMMY_CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: with n = 200, p95 is the 190th value, so the slow tail is in it."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * share // 1)))
    return ordered[int(rank) - 1]


def summary_ms(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p95_ms": round(percentile(values, 0.95) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def project_memos() -> list:
    """Every lru_cache/cache-wrapped function defined in the project's own modules."""
    return [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, functools._lru_cache_wrapper)
        and getattr(obj, "__module__", "").split(".")[0] in PROJECT_PACKAGES
    ]


@contextmanager
def nothing_kept():
    """Inside: every request is cold (call `forget()` before each one)."""
    with override_settings(CACHES=DUMMY_CACHES):
        yield


def served_client(user=None, *, raise_request_exception: bool = False) -> Client:
    """A test client signed in as `user` (when given) that has answered once, untimed: a served worker loads its
    middleware when it starts, where a new test client loads it on its first request (20-35 ms here, most of it
    WhiteNoise indexing the static files), which a timed request must not count."""
    client = Client(raise_request_exception=raise_request_exception)  # False: a failing page counts as a 500
    if user is not None:
        client.force_login(user)
    client.get("/health/")
    return client


def forget(memos: list) -> None:
    for memo in memos:
        memo.cache_clear()


@dataclass
class Catalogue:
    """What the filter bar offers on this database: months, areas by kind, categories, sources, kinds."""

    months: list[str]
    areas: dict[str, list[str]]
    categories: list[str]
    sources: list[str]
    kinds: list[str]

    @classmethod
    def build(cls) -> Catalogue:
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT to_char(month, 'YYYY-MM') FROM analytics_monthlycount ORDER BY 1")
            months = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT kind, code FROM ingestion_area WHERE kind <> 'h3' ORDER BY kind, code")
            areas: dict[str, list[str]] = {}
            for kind, code in cursor.fetchall():
                areas.setdefault(kind, []).append(code)
            cursor.execute("SELECT DISTINCT category, source, kind FROM analytics_monthlycount WHERE level = 'force'")
            triples = cursor.fetchall()
        return cls(
            months=months,
            areas=areas,
            categories=sorted({t[0] for t in triples}),
            sources=sorted({t[1] for t in triples}),
            kinds=sorted({t[2] for t in triples}),
        )

    def random_query(self, rng: random.Random) -> dict[str, str]:
        """Each dimension set with probability one half; a period of 1 to 36 months anywhere in the data."""
        query: dict[str, str] = {}
        if rng.random() < 0.5 and self.months:
            start = rng.randrange(len(self.months))
            end = min(len(self.months) - 1, start + rng.randrange(36))
            query.update(date_from=self.months[start], date_to=self.months[end])
        if rng.random() < 0.5 and self.areas:
            kind = rng.choice(sorted(self.areas))
            query["area"] = rng.choice(self.areas[kind])
        for name, values in (("kind", self.kinds), ("source", self.sources), ("category", self.categories)):
            if rng.random() < 0.5 and values:
                query[name] = rng.choice(values)
        return query


def naive_sql(query: dict[str, str]) -> tuple[str, list]:
    """The query a page would run without rollups, with the same filters: counts by category on Incident."""
    where, params = ["true"], []
    if "date_from" in query:
        where.append("occurred_at >= %s::date AND occurred_at < (%s::date + interval '1 month')")
        params += [query["date_from"] + "-01", query["date_to"] + "-01"]
    if "area" in query:
        columns = ("force_id", "borough_id", "lsoa_id", "neighborhood_id", "post_id", "zip_code_id")
        where.append("(" + " OR ".join(f"{column} = %s" for column in columns) + ")")
        params += [query["area"]] * len(columns)
    for name, column in (("kind", "kind"), ("source", "source"), ("category", "category")):
        if name in query:
            where.append(f"{column} = %s")
            params.append(query[name])
    return f"SELECT category, count(*) FROM ingestion_incident WHERE {' AND '.join(where)} GROUP BY 1", params
