"""A bulk load (an initial or catch-up load, a large share of Incident) builds Incident's secondary indexes once after
inserting instead of maintaining them row by row, and inserts plainly when its sources are new. Whatever the path, the
Incidents, rejections and counts are the upsert's, and Incident ends with exactly the indexes and key it had."""

import pytest
from django.db import connection

from ingestion import loader
from ingestion.demo.calls import calls_csv_write
from ingestion.models import Area, Incident
from ingestion.services import calls_import
from tests.ingestion.test_vectorised_calls import _calls_file, _snapshot

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk path is PostgreSQL's"),
]

BULK_STATS = ("indexes_rebuilt", "bulk_fresh_insert")


def _indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
            [Incident._meta.db_table],
        )
        return cursor.fetchall()


def _unique_constraints() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
            [Incident._meta.db_table],
        )
        return [name for (name,) in cursor.fetchall()]


def _bulk(monkeypatch, on: bool) -> None:
    """On: any import is a bulk load (the size rule is tested apart, with the table's row estimate)."""
    monkeypatch.setattr(loader, "BULK_LOAD_MIN", 1 if on else 10**12)
    monkeypatch.setattr(loader, "BULK_LOAD_SHARE", 0 if on else 0.25)


def _import(path, monkeypatch, *, bulk: bool):
    _bulk(monkeypatch, bulk)
    (run,) = calls_import(paths=[path], max_error_rate=1)
    snapshot = _snapshot(run)
    flags = {name: run.stats.get(name) for name in BULK_STATS}
    snapshot["run"] = (*snapshot["run"][:-1], {k: v for k, v in snapshot["run"][-1].items() if k not in BULK_STATS})
    return snapshot, flags


def _clear() -> None:
    Incident.objects.all().delete()
    Area.objects.all().delete()


@pytest.fixture
def demo_calls(tmp_path):
    path = tmp_path / "calls.csv"
    calls_csv_write(path=path, rows=400, layout="arcgis")
    return path


def test_fresh_source_bulk_insert_gives_what_the_upsert_gives(demo_calls, monkeypatch):
    indexes, keys = _indexes(), _unique_constraints()
    upserted, flags = _import(demo_calls, monkeypatch, bulk=False)
    assert flags == {"indexes_rebuilt": None, "bulk_fresh_insert": None}
    _clear()
    bulk, flags = _import(demo_calls, monkeypatch, bulk=True)
    assert bulk == upserted
    assert flags == {"indexes_rebuilt": len(indexes) - 2, "bulk_fresh_insert": True}  # all but pkey and the key
    assert _indexes() == indexes and _unique_constraints() == keys == [loader.SOURCE_KEY_CONSTRAINT]


def test_repeated_keys_fall_back_to_the_merging_upsert(tmp_path, monkeypatch):
    """The file repeats keys (merged rows, disagreements): adding the key back fails, the plain insert is undone, and
    the upsert merges them as it always does."""
    path = _calls_file(tmp_path, "arcgis", copies=2)
    indexes = _indexes()
    upserted, _ = _import(path, monkeypatch, bulk=False)
    _clear()
    bulk, flags = _import(path, monkeypatch, bulk=True)
    assert bulk == upserted
    assert upserted["run"][4] > 0  # duplicates
    assert flags == {"indexes_rebuilt": len(indexes) - 2, "bulk_fresh_insert": False}
    assert _indexes() == indexes and _unique_constraints() == [loader.SOURCE_KEY_CONSTRAINT]


def test_reimport_in_bulk_over_known_rows_merges_them(demo_calls, monkeypatch):
    """The source is known: no plain insert, the upsert over rebuilt indexes finds every row unchanged."""
    first, _ = _import(demo_calls, monkeypatch, bulk=False)
    again, flags = _import(demo_calls, monkeypatch, bulk=True)
    assert again["run"][2:5] == (0, 0, first["run"][1])  # inserted, updated, duplicates
    assert again["incidents"] == first["incidents"]
    assert flags["bulk_fresh_insert"] is None and flags["indexes_rebuilt"]


def test_a_small_share_of_a_large_table_keeps_its_indexes(demo_calls, monkeypatch):
    monkeypatch.setattr(loader, "_incident_rows_estimate", lambda cursor: 10_000)
    monkeypatch.setattr(loader, "BULK_LOAD_MIN", 1)
    (run,) = calls_import(paths=[demo_calls], max_error_rate=1)
    assert run.rows_inserted == 400
    assert "indexes_rebuilt" not in run.stats  # 400 rows are under a quarter of 10,000


def test_the_row_estimate_follows_the_table(demo_calls, monkeypatch):
    _import(demo_calls, monkeypatch, bulk=False)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Incident._meta.db_table}")
        estimate = loader._incident_rows_estimate(cursor)
    # ANALYZE's estimate from sampled pages (dead rows of earlier tests share them): right in size, which is all a
    # rule of "a quarter of the table" needs
    assert 200 <= estimate <= 800


def test_a_failure_after_the_bulk_insert_restores_indexes_and_keeps_nothing(demo_calls, monkeypatch):
    indexes = _indexes()
    _bulk(monkeypatch, True)

    def fail(records):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "areas_upsert", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        calls_import(paths=[demo_calls], max_error_rate=1)
    assert not Incident.objects.exists()
    assert _indexes() == indexes and _unique_constraints() == [loader.SOURCE_KEY_CONSTRAINT]


def test_newest_reads_use_the_rebuilt_indexes(demo_calls, monkeypatch):
    _import(demo_calls, monkeypatch, bulk=True)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Incident._meta.db_table}")
        newest = Incident.objects.filter(kind="stop").order_by("-occurred_at", "-id")[:25]
        sql, params = newest.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row for (row,) in cursor.fetchall())
    assert "incident_kind_time_id_idx" in plan
