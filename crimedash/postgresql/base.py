"""Django's PostgreSQL backend, with timestamptz values read by psycopg's compiled loader.

Django 5.2 gives every connection a timestamptz loader that subclasses psycopg's pure-Python one (to stamp each value
with the connection's zone), so even with psycopg's C implementation installed each timestamp is parsed by a Python
regular expression: 5.5 of the 7 ms it took to read the tactical map's 500 newest incidents on this 2-core machine
(Django ticket 36960). The compiled loader returns each value aware, in the session's TimeZone, which Django sets to
the connection's zone; where that zone is UTC (USE_TZ without a per-database TIME_ZONE) it gives the same values as
Django's loader, so this backend registers it instead. Elsewhere (the pure-Python implementation, another zone)
Django's own loader stays.
"""

import datetime as dt
from functools import cache

import psycopg
from django.db.backends.postgresql import base
from psycopg.adapt import Loader
from psycopg.pq import Format

TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if self.timezone is dt.UTC and psycopg.pq.__impl__ != "python":
            connection.adapters.register_loader(TIMESTAMPTZ_OID, compiled_utc_loader())
        return connection


@cache
def compiled_utc_loader() -> type[Loader]:
    """A loader class whose instances are psycopg's compiled timestamptz loader (a compiled class cannot be
    subclassed). It carries the `timezone` Django compares before it registers its own loader on each cursor. Built
    once: every connection registers the same class."""
    compiled = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)

    class CompiledUtcLoader(Loader):
        timezone = dt.UTC

        def __new__(cls, oid: int, context=None):
            return compiled(oid, context)

    return CompiledUtcLoader
