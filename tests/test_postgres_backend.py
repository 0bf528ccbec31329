"""crimedash.postgresql: Django's backend with timestamptz values read by psycopg's compiled loader."""

import datetime as dt

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

from crimedash.postgresql.base import TIMESTAMPTZ_OID, compiled_utc_loader

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL backend")

MOMENTS = """SELECT v::timestamptz FROM (VALUES ('2024-03-31 00:59:59.999999+00'), ('2024-10-27 01:30+01'),
    ('2016-05-05 01:58-04'), ('1999-12-31 23:59:59.5-12'), ('2026-11-30 12:00:00+14'), ('1900-01-02 00:00+00'),
    (NULL)) AS t(v)"""


def _read(cursor) -> list:
    cursor.execute(MOMENTS)
    return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_each_cursor_reads_timestamps_with_the_compiled_loader():
    with connection.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        compiled = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        assert loader.timezone is dt.UTC  # what Django compares: it registers no loader of its own on the cursor
        assert type(loader(TIMESTAMPTZ_OID, cursor.cursor)) is compiled
        assert compiled.__module__.startswith("psycopg_binary")  # the C implementation, not the Python one


def test_every_connection_registers_one_loader_class():
    assert compiled_utc_loader() is compiled_utc_loader()


@pytest.mark.django_db
def test_the_compiled_loader_gives_the_values_djangos_own_loader_gives():
    with connection.cursor() as cursor:
        ours = _read(cursor)
    with connection.cursor() as cursor:
        register_tzloader(dt.UTC, cursor.cursor)  # Django's loader, as its backend registers it
        djangos = _read(cursor)
    assert ours == djangos
    assert all(moment.tzinfo is dt.UTC for moment in ours[:-1]) and ours[-1] is None
    assert ours[1] == dt.datetime(2024, 10, 27, 0, 30, tzinfo=dt.UTC)
    assert ours[3] == dt.datetime(2000, 1, 1, 11, 59, 59, 500000, tzinfo=dt.UTC)
