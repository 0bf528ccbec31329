"""The one loader every source feeds: records in, Incidents/Areas/RejectedRows out, an ImportRun accounting for all.

Sources yield `IncidentRecord`, `AreaRecord` and `RowError` objects in one stream; `incident_import` consumes it in
constant memory. On PostgreSQL the records are COPYed into a temporary staging table and merged into Incident with
ONE `INSERT ... ON CONFLICT DO UPDATE ... WHERE <something changed> RETURNING (xmax = 0)`, which counts inserted and
updated rows exactly; everything else in the file is a duplicate. SQLite gets a slower row-by-row path with the same
results. The whole import is one transaction, so a process killed half-way leaves nothing behind but its RUNNING
ImportRun, which the next import marks failed (its process is gone); re-running the file then completes it.

Rows read = inserted + updated + duplicates + rejected. Repeated keys inside one file are duplicates; their outcome
histories are merged into the one Incident.
"""

from __future__ import annotations

import json
import operator
import os
import socket
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import h3
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from crimedash.dbstats import tables_analyze
from crimedash.env import env_str
from ingestion.lifecycle import LIFECYCLE_FIELDS, STEPS, lifecycle_problem
from ingestion.localtime import local_time, zone_info
from ingestion.models import Area, ImportRun, Incident, RejectedRow
from ingestion.signals import import_finished_send

H3_RESOLUTION = 9
PROGRESS_EVERY = 10_000
REJECTED_BATCH = 1_000
FAILED_RUN_SAMPLE = 100  # rejected rows kept for diagnosis when a run fails and keeps nothing
ERROR_CHECK_EVERY = 1000  # rows between checks of the error-rate ceiling while a file streams ...
ERROR_CHECK_AFTER = 10_000  # ... once this many have been read, a fair sample of the file
CHANGED_TABLES = (Incident._meta.db_table, RejectedRow._meta.db_table)  # ANALYZEd after an import commits
INCIDENT_TABLE = Incident._meta.db_table
# the (source, source_key) key's name, as the model declares it
SOURCE_KEY_CONSTRAINT = next(c.name for c in Incident._meta.constraints if tuple(c.fields) == ("source", "source_key"))
BULK_LOAD_MIN = 50_000  # staged rows from which an import may rebuild Incident's indexes instead of maintaining them
BULK_LOAD_SHARE = 0.25  # ... when they are at least this share of the rows already there


def error_rate_ceiling() -> float:
    raw = env_str("INGEST_MAX_ERROR_RATE", "0.05")
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"INGEST_MAX_ERROR_RATE={raw!r} is invalid: expected a fraction such as 0.05") from None


@dataclass(slots=True)
class IncidentRecord:
    """One Incident as a source parsed it; field names are Incident's column names."""

    source: str
    source_key: str
    kind: str
    category: str
    occurred_at: datetime
    time_precision: str
    raw_category: str = ""
    latitude: float | None = None
    longitude: float | None = None
    h3_cell: str = ""
    location_text: str = ""
    force_id: str | None = None
    borough_id: str | None = None
    lsoa_id: str | None = None
    neighborhood_id: str | None = None
    post_id: str | None = None
    zip_code_id: str | None = None
    priority: str = ""
    status: str = ""
    outcome: str = ""
    outcome_history: list = field(default_factory=list)  # [{"date": "YYYY-MM[-DD]", "category": ...}]
    context: str = ""
    origin: str = "unknown"
    line_number: int = 0
    coordinates_dropped: bool = False  # the source found coordinates outside its bounding box and cleared them
    time_zone: str = ""  # IANA zone the source records in; '' = the site's TIME_ZONE
    # derived by the loader from occurred_at in time_zone (sources leave them alone)
    local_date: date | None = None
    local_hour: int | None = None
    local_weekday: int | None = None
    # a call's lifecycle (ingestion.lifecycle); None where the source records no such time
    dispatched_at: datetime | None = None
    en_route_at: datetime | None = None
    on_scene_at: datetime | None = None
    cleared_at: datetime | None = None


@dataclass(slots=True)
class AreaRecord:
    code: str
    name: str
    kind: str
    parent_code: str | None = None


@dataclass(slots=True)
class RowError:
    line_number: int
    raw_text: str
    reason: str
    counts_as_error: bool = True  # False for rows that are valid but cannot apply yet (outcome of an unknown crime)


@dataclass(slots=True)
class StagedRows:
    """Valid rows a source checked and prepared itself (a vectorised reader), already in the staging COPY's text
    format, with what the tally needs of them; `copy_text(first)` numbers them `first`, `first + 1`..."""

    count: int
    copy_text: Callable[[int], bytes]
    local_days: set[date]
    areas: set[str]
    coordinates_dropped: int
    other: Counter  # raw descriptions of the rows whose category is "other"


@dataclass(slots=True)
class OutcomeRecord:
    """One line of an outcomes file: a dated outcome of an Incident known by its key."""

    source: str
    source_key: str
    entry: dict  # {"date": "YYYY-MM", "category": ...}
    line_number: int = 0
    raw_text: str = ""


class ImportTooManyErrors(Exception):
    pass


# Incident columns in COPY order, with the max length of text columns (see UNCHECKED).
COLUMNS = (
    ("source", 32),
    ("source_key", 128),
    ("kind", 8),
    ("category", 64),
    ("raw_category", 255),
    ("occurred_at", None),
    ("time_precision", 8),
    ("time_zone", 64),
    ("local_date", None),
    ("local_hour", None),
    ("local_weekday", None),
    ("latitude", None),
    ("longitude", None),
    ("h3_cell", 16),
    ("location_text", 255),
    ("force_id", 64),
    ("borough_id", 64),
    ("lsoa_id", 64),
    ("neighborhood_id", 64),
    ("post_id", 64),
    ("zip_code_id", 64),
    ("priority", 32),
    ("status", 64),
    ("outcome", 128),
    ("outcome_history", None),
    ("context", None),
    ("origin", 16),
    *((name, None) for name in LIFECYCLE_FIELDS),
)
COLUMN_NAMES = [name for name, _ in COLUMNS]
# Columns whose change makes a re-imported row an update (outcome follows outcome_history, compared separately).
COMPARED = [n for n in COLUMN_NAMES if n not in ("source", "source_key", "outcome", "outcome_history")]
# Merges keep what is known: when rows of one key meet (in one file, or a re-import over the stored row), a blank never
# replaces a known value; the latest known value wins. Columns that belong together follow one anchor: the location
# comes whole from the latest row with coordinates, the category from the latest row with a raw description.
# column -> its anchor (itself when it stands alone)
MERGED = {
    "latitude": "latitude", "longitude": "latitude", "h3_cell": "latitude", "location_text": "latitude",
    "raw_category": "raw_category", "category": "raw_category",
    "force_id": "force_id", "borough_id": "borough_id", "lsoa_id": "lsoa_id", "neighborhood_id": "neighborhood_id",
    "post_id": "post_id", "zip_code_id": "zip_code_id", "outcome": "outcome",
    **{name: name for name in LIFECYCLE_FIELDS},
}  # fmt: skip
# Two different known values of these for one key in one file count as a disagreement (run.stats["disagreements"]);
# a changed outcome is history, not a disagreement, and the category follows the raw description.
DISAGREEING = ("latitude", "longitude", "raw_category", "force_id", "borough_id", "lsoa_id",
               "neighborhood_id", "post_id", "zip_code_id")  # fmt: skip


def _known(value) -> bool:
    return value is not None and value != ""


def merged_value(column: str, old, new):
    """`column`'s value when the row `new` (later) meets `old`: getattr-able objects (records or Incidents)."""
    anchor = MERGED.get(column)
    if anchor is None or _known(getattr(new, anchor)):
        return getattr(new, column)
    if _known(getattr(old, anchor)):
        return getattr(old, column)
    return getattr(new, column) if _known(getattr(new, column)) else getattr(old, column)


def _sql_known(expression: str) -> str:
    return f"coalesce({expression}::text, '') <> ''"


def _sql_merged(column: str) -> str:
    """SQL twin of merged_value for the upsert: the stored row `i` meets the incoming row EXCLUDED."""
    anchor = MERGED.get(column)
    if anchor is None:
        return f"EXCLUDED.{column}"
    return (
        f"CASE WHEN {_sql_known(f'EXCLUDED.{anchor}')} THEN EXCLUDED.{column} WHEN {_sql_known(f'i.{anchor}')} "
        f"THEN i.{column} WHEN {_sql_known(f'EXCLUDED.{column}')} THEN EXCLUDED.{column} ELSE i.{column} END"
    )


def _sql_latest_known(column: str) -> str:
    """The value of `column` in the latest row of a key where its anchor is known, else where it is known itself."""
    anchor = MERGED[column]
    return (
        f"(array_agg({column} ORDER BY {_sql_known(anchor)} DESC, line DESC) "
        f"FILTER (WHERE {_sql_known(anchor)} OR {_sql_known(column)}))[1] AS {column}"
    )


def history_merge(existing: list, incoming: list) -> list:
    """Union of two outcome histories, first occurrence kept, ordered by date (SQL twin: ingestion_history_merge)."""
    first: dict[str, tuple[int, dict]] = {}
    for position, entry in enumerate([*existing, *incoming]):
        first.setdefault(json.dumps(entry, sort_keys=True), (position, entry))
    ordered = sorted(first.values(), key=lambda item: (str(item[1].get("date", "")), item[0]))
    return [entry for _, entry in ordered]


def outcome_from(history: list, fallback: str) -> str:
    return str(history[-1].get("category", "")) if history else fallback


def record_problem(record: IncidentRecord, now: datetime) -> str | None:
    """Why the loader refuses a record, or None."""
    if not record.source_key:
        return "missing id"
    if len(record.source_key) > 128:
        return "id longer than 128 characters"
    if record.occurred_at is None or record.occurred_at.tzinfo is None:
        return "missing or naive date"
    if record.occurred_at > now + timedelta(days=1):
        return f"date in the future: {record.occurred_at.isoformat()}"
    if record.occurred_at.year < 1900:
        return f"impossible date: {record.occurred_at.isoformat()}"
    if problem := lifecycle_problem({name: getattr(record, name) for name in STEPS}):
        return problem
    for name, limit in TEXT_LIMITS:
        value = getattr(record, name)
        if value and len(value) > limit:
            return f"{name.removesuffix('_id').replace('_', ' ')} longer than {limit} characters"
    return None


AREA_CODE_LIMIT = Area._meta.get_field("code").max_length

# Text columns of Incident with a length limit (areas by their code's): a longer value refuses its row, not the file.
TEXT_LIMITS = [
    (f.attname, f.max_length or f.target_field.max_length)
    for f in Incident._meta.concrete_fields
    if f.attname != "source_key" and (f.max_length or (f.is_relation and f.target_field.max_length))
]


def _prepared(record: IncidentRecord) -> IncidentRecord:
    zone = zone_info(record.time_zone)
    record.time_zone = zone.key
    record.local_date, record.local_hour, record.local_weekday = local_time(
        occurred_at=record.occurred_at, zone=zone, precision=record.time_precision
    )
    if not record.h3_cell and record.latitude is not None and record.longitude is not None:
        record.h3_cell = h3.latlng_to_cell(record.latitude, record.longitude, H3_RESOLUTION)
    if record.outcome_history:
        # stored in merged order, so the SQL merge of an unchanged re-import finds nothing new
        record.outcome_history = history_merge([], record.outcome_history)
        record.outcome = outcome_from(record.outcome_history, record.outcome)
    return record


_ROW_GETTER = operator.attrgetter(*COLUMN_NAMES)
_HISTORY_AT = COLUMN_NAMES.index("outcome_history")


def _row_values(record: IncidentRecord) -> tuple:
    """COPY row; text is cut to the column lengths in SQL (cheaper there than per value here)."""
    values = _ROW_GETTER(record)
    history = values[_HISTORY_AT]
    return (*values[:_HISTORY_AT], json.dumps(history) if history else "[]", *values[_HISTORY_AT + 1 :])


# --- bookkeeping shared by both paths ---------------------------------------------------------------


class _Tally:
    """What a stream held: counts, months and areas touched, categories that fell to "other"."""

    def __init__(self):
        self.read = 0
        self.rejected = 0
        self.errors = 0
        self.coordinates_dropped = 0
        self.months: set[str] = set()
        self.local_days: set[date] = set()
        self.areas: set[str] = set()
        self.other = Counter()
        self.area_records: dict[str, AreaRecord] = {}
        self.rejected_sample: list[RowError] = []
        self.unmatched = 0  # outcome rows of Incidents not imported (kept as RejectedRows, not errors)

    def touched(self, month: str, *areas: str | None) -> None:
        self.months.add(month)
        self.areas.update(code for code in areas if code)

    def record(self, record: IncidentRecord) -> None:
        # the hot path of every import: plain attribute reads, no helper calls
        self.read += 1
        self.local_days.add(record.local_date)
        areas = self.areas
        areas.add(record.borough_id)
        areas.add(record.lsoa_id)
        areas.add(record.neighborhood_id)
        areas.add(record.post_id)
        areas.add(record.zip_code_id)
        areas.add(record.force_id)
        if record.coordinates_dropped:
            self.coordinates_dropped += 1
        if record.category == "other":
            self.other[record.raw_category] += 1

    def staged(self, rows: StagedRows) -> None:
        self.read += rows.count
        self.local_days.update(rows.local_days)
        self.areas.update(rows.areas)
        self.coordinates_dropped += rows.coordinates_dropped
        self.other.update(rows.other)

    def months_sorted(self) -> list[str]:
        return sorted(self.months | {f"{day:%Y-%m}" for day in self.local_days})

    def areas_sorted(self) -> list[str]:
        return sorted(code for code in self.areas if code)

    def error(self, error: RowError) -> None:
        self.read += 1
        self.rejected += 1
        self.errors += error.counts_as_error
        if len(self.rejected_sample) < FAILED_RUN_SAMPLE:
            self.rejected_sample.append(error)


class RejectedWriter:
    """Spools rejected rows to a temporary file: the database connection is busy with COPY while rows stream."""

    def __init__(self, run: ImportRun):
        self.run = run
        self.spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 (closed by save)

    def add(self, error: RowError) -> None:
        self.spool.write(json.dumps([error.line_number, error.raw_text, error.reason[:500]]) + "\n")

    def save(self) -> None:
        self.spool.seek(0)
        batch = []
        for line in self.spool:
            line_number, raw_text, reason = json.loads(line)
            batch.append(RejectedRow(run=self.run, line_number=line_number, raw_text=raw_text, reason=reason))
            if len(batch) >= REJECTED_BATCH:
                RejectedRow.objects.bulk_create(batch)
                batch = []
        RejectedRow.objects.bulk_create(batch)
        self.spool.close()


def _stream(rows: Iterable, tally: _Tally, rejected: RejectedWriter, progress: Callable[[int], None] | None):
    """Yield the valid Incident/OutcomeRecords and StagedRows of `rows`; route errors and areas to their places."""
    now = timezone.now()
    since_progress = 0
    for row in rows:
        if isinstance(row, IncidentRecord):
            problem = record_problem(row, now)
            if problem:
                row = RowError(row.line_number, row.source_key, problem)
            else:
                tally.record(_prepared(row))
                yield row
        elif isinstance(row, OutcomeRecord):
            tally.read += 1
            yield row
        elif isinstance(row, StagedRows):
            tally.staged(row)
            yield row
        if isinstance(row, RowError):
            tally.error(row)
            rejected.add(row)
        elif isinstance(row, AreaRecord):
            tally.area_records[row.code] = row
            continue
        since_progress += row.count if isinstance(row, StagedRows) else 1
        if progress and since_progress >= PROGRESS_EVERY:
            progress(since_progress)
            since_progress = 0
    if progress and since_progress:
        progress(since_progress)


def areas_upsert(records: Iterable[AreaRecord]) -> None:
    """Create or rename Areas; a parent is set only when the record names one. A code too long to be one is left
    out (the rows naming it are refused by record_problem), so one long value never fails the whole file."""
    records = [r for r in records if len(r.code) <= AREA_CODE_LIMIT]
    for with_parent in (True, False):
        batch = [
            Area(code=r.code, name=r.name[:200], kind=r.kind, parent_id=r.parent_code)
            for r in records
            if bool(r.parent_code) == with_parent
        ]
        fields = ["name", "kind", "parent"] if with_parent else ["name", "kind"]
        Area.objects.bulk_create(batch, update_conflicts=True, unique_fields=["code"], update_fields=fields)


# --- PostgreSQL path ------------------------------------------------------------------------------------

_STAGING_DDL = """
CREATE TEMP TABLE {table} (
    source text, source_key text, kind text, category text, raw_category text, occurred_at timestamptz,
    time_precision text, time_zone text, local_date date, local_hour int, local_weekday int, latitude float8,
    longitude float8, h3_cell text, location_text text, force_id text,
    borough_id text, lsoa_id text, neighborhood_id text, post_id text, zip_code_id text, priority text, status text,
    outcome text, outcome_history jsonb DEFAULT '[]', context text, origin text, dispatched_at timestamptz,
    en_route_at timestamptz, on_scene_at timestamptz, cleared_at timestamptz, line bigint
) ON COMMIT DROP
"""

# Repeated keys in one file: the last row's fields, except that each merged column takes its value from the latest
# row where it is known (see MERGED), and the union of every row's outcome history.
_DEDUP_SQL = """
CREATE TEMP TABLE {dedup} ON COMMIT DROP AS
SELECT DISTINCT ON (s.source, s.source_key) {cols_but_history}, h.outcome_history
FROM {table} s
JOIN (
    SELECT source, source_key,
           ingestion_history_merge(coalesce(jsonb_agg(e ORDER BY line, o) FILTER (WHERE e IS NOT NULL), '[]'), '[]')
               AS outcome_history
    FROM {table} LEFT JOIN LATERAL jsonb_array_elements(outcome_history) WITH ORDINALITY AS t(e, o) ON true
    GROUP BY source, source_key
) h USING (source, source_key)
LEFT JOIN (SELECT source, source_key, {known_aggregates} FROM {table} GROUP BY source, source_key) k
    USING (source, source_key)
ORDER BY s.source, s.source_key, s.line DESC
"""
# Keys whose rows hold different known values of a compared column (two locations, two categories...).
_DISAGREEMENTS_SQL = """
SELECT count(*) FROM (
    SELECT 1 FROM {table} GROUP BY source, source_key HAVING {differs}
) d
"""

_UPSERT_SQL = """
WITH up AS (
    INSERT INTO ingestion_incident AS i ({cols}, import_run_id, updated_at)
    SELECT {fitted}, %(run)s, now() FROM {table} ORDER BY occurred_at
    ON CONFLICT (source, source_key) DO UPDATE SET
        {sets},
        outcome_history = ingestion_history_merge(i.outcome_history, EXCLUDED.outcome_history),
        outcome = CASE
            WHEN jsonb_array_length(ingestion_history_merge(i.outcome_history, EXCLUDED.outcome_history)) > 0
            THEN ingestion_history_merge(i.outcome_history, EXCLUDED.outcome_history) -> -1 ->> 'category'
            ELSE {outcome} END,
        import_run_id = EXCLUDED.import_run_id,
        updated_at = now()
    WHERE ({old}) IS DISTINCT FROM ({new})
       OR NOT (i.outcome_history @> EXCLUDED.outcome_history)
       OR (EXCLUDED.outcome_history = '[]'::jsonb AND i.outcome IS DISTINCT FROM {outcome})
    RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up
"""


_FRESH_INSERT_SQL = """
INSERT INTO ingestion_incident ({cols}, import_run_id, updated_at)
SELECT {fitted}, %(run)s, now() FROM {table} ORDER BY occurred_at
"""


# Columns no reader checks against its length: a longer source_key is cut, not refused; the source and the zone
# come from the reader's own spec; the outcome is derived from the history after the check. Every other text column
# is checked by record_problem (rows) or by the vectorised reader before staging (a longer value sends its row to
# record_problem). Cutting all 19 columns of every row cost 1.5 s of a 1 M-row bulk load.
UNCHECKED = ("source", "source_key", "time_zone", "outcome")


def _fitted() -> str:
    """Staging's columns, those no reader checks cut to Incident's lengths."""
    return ", ".join(f"left({name}, {limit})" if name in UNCHECKED else name for name, limit in COLUMNS)


def _upsert_sql(table: str) -> str:
    return _UPSERT_SQL.format(
        cols=", ".join(COLUMN_NAMES),
        fitted=_fitted(),
        table=table,
        sets=", ".join(f"{c} = {_sql_merged(c)}" for c in COMPARED),
        old=", ".join(f"i.{c}" for c in COMPARED),
        new=", ".join(_sql_merged(c) for c in COMPARED),
        outcome=_sql_merged("outcome"),
    )


# Indexes a bulk load drops and builds again: all but the primary key and the unique keys (constraints or not).
_SECONDARY_INDEXES_SQL = """
SELECT c.relname, pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT i.indisunique
ORDER BY c.relname
"""


def _postgres_load(run: ImportRun, records: Iterable[IncidentRecord]) -> tuple[int, int, int]:
    """COPY records into staging, upsert once; returns (staged, inserted, updated)."""
    table = f"ingest_stage_{run.pk}"
    with connection.cursor() as cursor:
        # If this process is killed mid-upsert, the server notices within a second and rolls back, instead of
        # finishing the statement for nobody while a re-run waits on its uncommitted keys.
        cursor.execute("SET LOCAL client_connection_check_interval = 1000")
        # The upsert inserts in time order: most of Incident's indexes lead with a few values then occurred_at, so
        # their inserts land on a few hot pages instead of pages all over indexes larger than shared_buffers.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute(_STAGING_DDL.format(table=table))
        # `line` orders the rows as the file does (the latest row of a repeated key wins): staged blocks are written
        # whole, bypassing write_row's buffer, so the order of arrival alone would not keep it
        line = 0
        # the writer sends from its own thread: the server takes in one block while the reader computes the next
        # (psycopg's own cursor: Django's wrapper passes no writer on)
        raw = cursor.cursor
        with raw.copy(
            f"COPY {table} ({', '.join(COLUMN_NAMES)}, line) FROM STDIN", writer=QueuedLibpqWriter(raw)
        ) as copy:
            for record in records:
                if isinstance(record, StagedRows):
                    copy.write(record.copy_text(line + 1))
                    line += record.count
                else:
                    line += 1
                    copy.write_row((*_row_values(record), line))
        cursor.execute(f"SELECT count(*) FROM {table}")
        staged = cursor.fetchone()[0]
        inserted, updated = _postgres_merge(cursor, table, staged, run)
        cursor.execute(f"DROP TABLE IF EXISTS {table}, {table}_dedup")
    return staged, inserted, updated


def _postgres_merge(cursor, table: str, staged: int, run: ImportRun) -> tuple[int, int]:
    """Staging into Incident. A bulk load (at least BULK_LOAD_MIN rows and BULK_LOAD_SHARE of the rows Incident
    holds) builds Incident's other indexes once afterwards; when its sources are new to Incident it also inserts
    plainly and checks the key once, with one index build, instead of probing the key row by row."""
    if staged < BULK_LOAD_MIN or staged < BULK_LOAD_SHARE * _incident_rows_estimate(cursor):
        return _postgres_upsert(cursor, table, run)
    sources_new = _sources_new(cursor, table)
    with _secondary_indexes_rebuilt(cursor, run):
        if sources_new:
            try:
                with transaction.atomic():
                    return _fresh_insert(cursor, table, run)
            except IntegrityError:  # a key repeated in the file: its rows are merged by the upsert as always
                run.stats["bulk_fresh_insert"] = False
        return _postgres_upsert(cursor, table, run)


@contextmanager
def _secondary_indexes_rebuilt(cursor, run: ImportRun) -> Iterator[None]:
    """Incident without its secondary indexes for the block, then each built once from sorted rows: maintaining
    them row by row cost three times the insert itself (bench.import_calls). All inside the import's transaction, so
    a failure or a killed process restores them with the rest. The lock keeps readers of Incident waiting until the
    import commits, which is why only a bulk load (an initial or catch-up load) takes this path."""
    cursor.execute(f"LOCK TABLE {INCIDENT_TABLE} IN ACCESS EXCLUSIVE MODE")
    # CREATE INDEX and ALTER TABLE refuse a table with deferred checks pending (rows that others referenced, deleted
    # earlier in the transaction): check them now, as the commit would, then defer again as Django declares them
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute(_SECONDARY_INDEXES_SQL, [INCIDENT_TABLE])
    definitions = cursor.fetchall()
    for name, _ in definitions:
        cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in definitions:
        cursor.execute(definition)
    run.stats["indexes_rebuilt"] = len(definitions)


def _incident_rows_estimate(cursor) -> float:
    cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [INCIDENT_TABLE])
    estimate = cursor.fetchone()[0]
    if estimate >= 0:
        return estimate
    cursor.execute(f"SELECT count(*) FROM {INCIDENT_TABLE}")  # never analyzed (reltuples -1): count it
    return cursor.fetchone()[0]


def _sources_new(cursor, table: str) -> bool:
    """No Incident yet of any source in staging (asked before the source index is dropped)."""
    cursor.execute(
        f"SELECT NOT EXISTS (SELECT 1 FROM {INCIDENT_TABLE} WHERE source IN (SELECT DISTINCT source FROM {table}))"
    )
    return cursor.fetchone()[0]


def _fresh_insert(cursor, table: str, run: ImportRun) -> tuple[int, int]:
    """Every staged row into Incident as it is, the (source, source_key) key dropped and added again after: one
    sorted build instead of a probe and an insert per row. Adding the key fails if the file repeats one."""
    quote = connection.ops.quote_name
    cursor.execute(f"ALTER TABLE {INCIDENT_TABLE} DROP CONSTRAINT {quote(SOURCE_KEY_CONSTRAINT)}")
    cursor.execute(
        _FRESH_INSERT_SQL.format(table=table, cols=", ".join(COLUMN_NAMES), fitted=_fitted()), {"run": run.pk}
    )
    inserted = cursor.rowcount
    cursor.execute(
        f"ALTER TABLE {INCIDENT_TABLE} ADD CONSTRAINT {quote(SOURCE_KEY_CONSTRAINT)} UNIQUE (source, source_key)"
    )
    run.stats["bulk_fresh_insert"] = True
    return inserted, 0


def _postgres_upsert(cursor, table: str, run: ImportRun) -> tuple[int, int]:
    # Most files hold each key once: try the direct upsert; ON CONFLICT refuses to touch a row twice, and only
    # then is the (costly) de-duplication worth doing.
    try:
        with transaction.atomic():
            cursor.execute(_upsert_sql(table), {"run": run.pk})
            return cursor.fetchone()
    except Exception as exc:
        if "cannot affect row a second time" not in str(exc):
            raise
    dedup = f"{table}_dedup"
    cursor.execute(_DEDUP_SQL.format(dedup=dedup, table=table, **_dedup_parts()))
    differs = " OR ".join(f"count(DISTINCT nullif({c}::text, '')) > 1" for c in DISAGREEING)
    cursor.execute(_DISAGREEMENTS_SQL.format(table=table, differs=differs))
    run.stats["disagreements"] = cursor.fetchone()[0]
    cursor.execute(_upsert_sql(dedup), {"run": run.pk})
    return cursor.fetchone()


def _dedup_parts() -> dict[str, str]:
    but_history = [c for c in COLUMN_NAMES if c != "outcome_history"]
    return {
        "cols_but_history": ", ".join(
            f"coalesce(k.{c}, s.{c}) AS {c}" if c in MERGED else f"s.{c}" for c in but_history
        ),
        "known_aggregates": ", ".join(_sql_latest_known(c) for c in MERGED),
    }


# --- SQLite (and any other database) path ------------------------------------------------------------


def _generic_load(run: ImportRun, records: Iterable[IncidentRecord]) -> tuple[int, int, int]:
    staged = inserted = updated = 0
    seen: set[tuple[str, str]] = set()
    disagreed: set[tuple[str, str]] = set()
    chunk: list[IncidentRecord] = []
    for record in records:
        staged += 1
        # in UTC, as stored: an aware time in the repeated hour of autumn never equals one in another zone (PEP 495)
        record.occurred_at = record.occurred_at.astimezone(UTC)
        for name in LIFECYCLE_FIELDS:
            if getattr(record, name) is not None:
                setattr(record, name, getattr(record, name).astimezone(UTC))
        chunk.append(record)
        if len(chunk) >= 500:
            counts = _generic_chunk(run, chunk, seen, disagreed)
            inserted, updated, chunk = inserted + counts[0], updated + counts[1], []
    counts = _generic_chunk(run, chunk, seen, disagreed)
    run.stats["disagreements"] = len(disagreed)
    return staged, inserted + counts[0], updated + counts[1]


def _generic_chunk(run: ImportRun, chunk: list[IncidentRecord], seen: set, disagreed: set) -> tuple[int, int]:
    existing = {
        (obj.source, obj.source_key): obj
        for obj in Incident.objects.filter(
            source__in={r.source for r in chunk}, source_key__in={r.source_key for r in chunk}
        )
    }
    new: dict[tuple[str, str], Incident] = {}
    dirty: dict[tuple[str, str], Incident] = {}
    inserted = updated = 0
    for record in chunk:
        key = (record.source, record.source_key)
        target = new.get(key) or existing.get(key)
        repeat = key in seen  # a repeat inside this file is a duplicate, whatever it merged
        seen.add(key)
        if repeat and _disagrees(target, record):
            disagreed.add(key)
        if target is None:
            new[key] = Incident(**{n: getattr(record, n) for n in COLUMN_NAMES}, import_run=run)
            inserted += 1
        elif _generic_merge(target, record, run):
            updated += not repeat
            if key not in new:
                dirty[key] = target
    _generic_insert(list(new.values()))
    for obj in dirty.values():
        obj.save()
    return inserted, updated


def _generic_insert(objs: list[Incident]) -> None:
    """Incident.objects.bulk_create(objs) as one executemany of the values the ORM would write: on SQLite the ORM
    compiles an INSERT of at most 30 rows (999 parameters) value by value, most of the time of an import."""
    if not objs:
        return
    fields = [f for f in Incident._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Incident._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields) for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _generic_merge(target: Incident, record: IncidentRecord, run: ImportRun) -> bool:
    """Fold `record` into `target` as the SQL upsert would (a blank never replaces a known value); True if changed."""
    history = history_merge(target.outcome_history or [], record.outcome_history)
    merged = {name: merged_value(name, target, record) for name in COMPARED}
    outcome = merged_value("outcome", target, record)
    changed = (
        any(getattr(target, name) != value for name, value in merged.items())
        or len(history) != len(target.outcome_history or [])
        or (not record.outcome_history and target.outcome != outcome)
    )
    if changed:
        for name, value in merged.items():
            setattr(target, name, value)
        target.outcome_history = history
        target.outcome = outcome_from(history, outcome)
        target.import_run = run
    return changed


def _disagrees(target: Incident | None, record: IncidentRecord) -> bool:
    """Two rows of one key in one file hold different known values of a compared column."""
    return target is not None and any(
        _known(getattr(target, n)) and _known(getattr(record, n)) and getattr(target, n) != getattr(record, n)
        for n in DISAGREEING
    )


# --- outcomes ---------------------------------------------------------------------------------------------

UNMATCHED_REASON = "no incident with this id has been imported yet; re-import this file after the crime's month"

_OUTCOME_STAGING_DDL = """
CREATE TEMP TABLE {table} (source text, source_key text, entry jsonb, file_line bigint, raw text, line bigserial)
ON COMMIT DROP
"""
_OUTCOME_COUNT_SQL = """
SELECT count(*) FILTER (WHERE i.id IS NULL),
       count(*) FILTER (WHERE i.outcome_history @> jsonb_build_array(s.entry))
FROM {table} s LEFT JOIN ingestion_incident i ON i.source = s.source AND i.source_key = s.source_key
"""
_OUTCOME_UNMATCHED_SQL = """
INSERT INTO ingestion_rejectedrow (run_id, line_number, raw_text, reason)
SELECT %(run)s, s.file_line, s.raw, %(reason)s FROM {table} s
WHERE NOT EXISTS (SELECT 1 FROM ingestion_incident i WHERE i.source = s.source AND i.source_key = s.source_key)
"""
_OUTCOME_UPDATE_SQL = """
WITH incoming AS (
    SELECT source, source_key, jsonb_agg(entry ORDER BY line) AS entries FROM {table} GROUP BY source, source_key
), merged AS (
    SELECT i.id, ingestion_history_merge(i.outcome_history, n.entries) AS history
    FROM incoming n JOIN ingestion_incident i ON i.source = n.source AND i.source_key = n.source_key
    WHERE NOT i.outcome_history @> n.entries
), done AS (
    UPDATE ingestion_incident i
    SET outcome_history = m.history, outcome = m.history -> -1 ->> 'category', import_run_id = %(run)s,
        updated_at = now()
    FROM merged m WHERE i.id = m.id
    RETURNING to_char(i.local_date, 'YYYY-MM') AS month, i.borough_id, i.lsoa_id
)
SELECT month, borough_id, lsoa_id FROM done GROUP BY 1, 2, 3
"""


def _postgres_outcomes(run: ImportRun, records: Iterable[OutcomeRecord]) -> tuple[int, int, int]:
    table = f"ingest_outcomes_{run.pk}"
    with connection.cursor() as cursor:
        cursor.execute(_OUTCOME_STAGING_DDL.format(table=table))
        with cursor.copy(f"COPY {table} (source, source_key, entry, file_line, raw) FROM STDIN") as copy:
            for r in records:
                copy.write_row((r.source, r.source_key, json.dumps(r.entry), r.line_number, r.raw_text))
        cursor.execute(f"SELECT count(*) FROM {table}")
        staged = cursor.fetchone()[0]
        # Statistics of the staged rows and of the incidents this run may just have written: without them (the
        # run's own transaction, autovacuum off) the planner may join by nested loops over a low-selectivity index.
        cursor.execute(f"ANALYZE {table}")
        cursor.execute("ANALYZE ingestion_incident")
        cursor.execute(_OUTCOME_COUNT_SQL.format(table=table))
        unmatched, duplicates = cursor.fetchone()
        cursor.execute(_OUTCOME_UNMATCHED_SQL.format(table=table), {"run": run.pk, "reason": UNMATCHED_REASON})
        cursor.execute(_OUTCOME_UPDATE_SQL.format(table=table), {"run": run.pk})
        touched = cursor.fetchall()
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    run.stats["unmatched"] = unmatched
    return 0, staged - unmatched - duplicates, duplicates, unmatched, touched


def _generic_outcomes(run: ImportRun, records: Iterable[OutcomeRecord]) -> tuple:
    updated = duplicates = unmatched = 0
    touched = set()
    for chunk in _chunks(records, 500):
        found = {
            (i.source, i.source_key): i
            for i in Incident.objects.filter(
                source__in={r.source for r in chunk}, source_key__in={r.source_key for r in chunk}
            )
        }
        missing = [r for r in chunk if (r.source, r.source_key) not in found]
        unmatched += len(missing)
        RejectedRow.objects.bulk_create(
            RejectedRow(run=run, line_number=r.line_number, raw_text=r.raw_text, reason=UNMATCHED_REASON)
            for r in missing
        )
        changed = {}
        for record in chunk:
            incident = found.get((record.source, record.source_key))
            if incident is None:
                continue
            if record.entry in incident.outcome_history:
                duplicates += 1
                continue
            updated += 1
            incident.outcome_history = history_merge(incident.outcome_history, [record.entry])
            incident.outcome = outcome_from(incident.outcome_history, incident.outcome)
            incident.import_run = run
            changed[incident.pk] = incident
            touched.add((f"{incident.local_date:%Y-%m}", incident.borough_id, incident.lsoa_id))
        _generic_update(list(changed.values()), ["outcome_history", "outcome", "import_run", "updated_at"])
    run.stats["unmatched"] = unmatched
    return 0, updated, duplicates, unmatched, sorted(touched)


def _generic_update(objs: list[Incident], names: list[str]) -> None:
    """save(update_fields=names) of each of `objs` as one executemany (a save per outcome row was most of the time)."""
    if not objs:
        return
    fields = [Incident._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(Incident._meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in fields)} "
        f"WHERE {quote(Incident._meta.pk.column)} = %s"
    )
    rows = [(*(f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields), obj.pk) for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- the import itself ------------------------------------------------------------------------------------


def _process_alive(stats: dict) -> bool:
    if stats.get("host") != socket.gethostname() or not stats.get("pid"):
        return True  # cannot tell from here: assume it is still working
    try:
        os.kill(int(stats["pid"]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_runs_fail() -> int:
    """Mark failed the RUNNING runs whose process died (killed mid-import: its transaction left nothing)."""
    stale = [run for run in ImportRun.objects.filter(status=ImportRun.Status.RUNNING) if not _process_alive(run.stats)]
    for run in stale:
        run.status = ImportRun.Status.FAILED
        run.error = "The importing process stopped before finishing; nothing of this run was kept. Re-run the import."
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
    return len(stale)


def incident_import(
    *,
    source: str,
    target: str,
    rows: Iterable[IncidentRecord | RowError | AreaRecord],
    user=None,
    max_error_rate: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportRun:
    """Load one stream of records as one ImportRun, all or nothing. Returns the run (FAILED above the error rate)."""

    def body(run: ImportRun, records: Iterator[IncidentRecord], tally: _Tally) -> tuple[int, int, int]:
        load = _postgres_load if connection.vendor == "postgresql" else _generic_load
        staged, inserted, updated = load(run, records)
        return inserted, updated, staged - inserted - updated

    return _guarded_run(source, target, user, max_error_rate, rows, progress, body)


def outcome_apply(
    *,
    source: str,
    target: str,
    rows: Iterable[OutcomeRecord | RowError],
    user=None,
    max_error_rate: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportRun:
    """Append outcomes to their Incidents' histories (police.uk outcomes files); the latest becomes the outcome.

    An outcome whose crime is not imported yet is kept as a RejectedRow (not counted against the error rate):
    outcome files cover crimes of earlier months. Updated = rows adding a new entry; duplicates = already known.
    """

    def body(run: ImportRun, records: Iterator[OutcomeRecord], tally: _Tally) -> tuple[int, int, int]:
        apply = _postgres_outcomes if connection.vendor == "postgresql" else _generic_outcomes
        inserted, updated, duplicates, tally.unmatched, touched = apply(run, records)
        for month, *areas in touched:
            tally.touched(month, *areas)
        return inserted, updated, duplicates

    return _guarded_run(source, target, user, max_error_rate, rows, progress, body)


def _guarded_run(source, target, user, max_error_rate, rows, progress, body) -> ImportRun:
    """Create the run, then do `body` in one transaction: success commits everything, any failure keeps nothing."""
    stale_runs_fail()
    run = ImportRun.objects.create(
        source=source, target=target[:500], created_by=user, stats={"pid": os.getpid(), "host": socket.gethostname()}
    )
    rate = error_rate_ceiling() if max_error_rate is None else max_error_rate
    tally = _Tally()
    try:
        with transaction.atomic():
            rejected = RejectedWriter(run)
            streamed = _stream(_error_ceiling(rows, tally, rate), tally, rejected, progress)
            inserted, updated, duplicates = body(run, streamed, tally)
            rejected.save()
            if tally.read and tally.errors / tally.read > rate:
                raise ImportTooManyErrors(_too_many_errors(tally, rate))
            areas_upsert(tally.area_records.values())
            _run_finish(run, tally, inserted=inserted, updated=updated, duplicates=duplicates)
            transaction.on_commit(lambda: tables_analyze(tables=CHANGED_TABLES), robust=True)
            transaction.on_commit(lambda: import_finished_send(run=run), robust=True)
    except ImportTooManyErrors as exc:
        _run_fail(run, tally, str(exc))
    except BaseException as exc:
        _run_fail(run, tally, f"{type(exc).__name__}: {exc}")
        raise
    return run


def _error_ceiling(rows: Iterable, tally: _Tally, rate: float) -> Iterator:
    """`rows`, stopped as soon as the rejections of the first ten thousand or more pass the ceiling: a small file of
    millions of bad lines fails in seconds instead of being read, spooled and counted to its end."""
    for count, row in enumerate(rows, 1):
        checked = count % ERROR_CHECK_EVERY == 0 or isinstance(row, StagedRows)
        if checked and tally.read >= ERROR_CHECK_AFTER and tally.errors > rate * tally.read:
            raise ImportTooManyErrors(_too_many_errors(tally, rate) + " (stopped early)")
        yield row


def _too_many_errors(tally: _Tally, rate: float) -> str:
    return (
        f"{tally.errors} of {tally.read} rows rejected ({tally.errors / tally.read:.1%}), "
        f"above the allowed {rate:.1%}: nothing was imported"
    )


def _run_finish(run: ImportRun, tally: _Tally, *, inserted: int, updated: int, duplicates: int) -> None:
    run.status = ImportRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.rows_read = tally.read
    run.rows_inserted = inserted
    run.rows_updated = updated
    run.rows_duplicate = duplicates
    run.rows_rejected = tally.rejected + tally.unmatched
    run.coordinates_dropped = tally.coordinates_dropped
    run.months_touched = tally.months_sorted()
    run.areas_touched = tally.areas_sorted()
    run.stats = {
        **run.stats,
        "disagreements": run.stats.get("disagreements", 0),
        "category_other": sum(tally.other.values()),
        "other_descriptions": dict(tally.other.most_common(50)),
    }
    run.save()


def _run_fail(run: ImportRun, tally: _Tally, message: str) -> None:
    run.status = ImportRun.Status.FAILED
    run.finished_at = timezone.now()
    run.error = message
    run.rows_read = tally.read
    run.rows_rejected = tally.rejected
    run.save()
    writer = RejectedWriter(run)
    for error in tally.rejected_sample:
        writer.add(error)
    writer.save()
