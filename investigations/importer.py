"""Import a records-management (RMS) export: one CSV row per event, every row carrying its investigation's
fields (docs/rms-export.md). Creates or updates the teams and officers it names, rejects bad rows with their
line numbers, and never duplicates a record on re-import.

Built on the ingestion loader's pieces: its reader (encodings, physical line numbers, ragged rows), its rejected-row
writer and error-rate ceiling. Rows stream in chunks of CHUNK, so memory stays flat however long the file; the whole
import is one transaction, so a file over the ceiling keeps nothing. Inserted and duplicate counts are the
database's own answer (rows an INSERT ... ON CONFLICT DO NOTHING reports it wrote)."""

import json
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.audit import audit_event
from accounts.models import AuditEvent, OrgUnit, User
from ingestion.loader import FAILED_RUN_SAMPLE, ImportTooManyErrors, RejectedWriter, RowError, error_rate_ceiling
from ingestion.models import ImportRun
from ingestion.readers import csv_inputs
from investigations.models import (
    AUTHORITY_CHOICES,
    CustodyEvent,
    EnquiryLogUpdate,
    Investigation,
    SupervisorReview,
    Suspect,
    Victim,
    VictimContact,
)
from investigations.rules import bail
from investigations.rules.facts import EventFacts, SuspectFacts

SOURCE = "rms"
CHUNK = 2000
INSERT_BATCH = 100  # rows per INSERT statement (SQLite allows few parameters per statement)
EARLY_CHECK_ROWS = 1000  # the error-rate ceiling is checked as rows stream once this many have been read
COLUMNS = [
    "crime_reference",
    "offence",
    "offence_class",
    "domestic_abuse",
    "offence_date",
    "reported_at",
    "recorded_at",
    "status",
    "outcome",
    "outcome_date",
    "cancelled_date",
    "cancellation_avi",
    "allocated_date",
    "linked_crimes",
    "bcu_code",
    "bcu_name",
    "department_code",
    "department_name",
    "team_code",
    "team_name",
    "officer_id",
    "officer_name",
    "officer_rank",
    "event",
    "event_date",
    "person_ref",
    "person_name",
    "enhanced_rights",
    "authorising_rank",
    "note",
]
# Columns added later: a file without them reads them as blank.
OPTIONAL_COLUMNS = ["s46a_rearrest", "dpp_designated", "s47zf7_case"]
CUSTODY_EVENTS = set(CustodyEvent.Kind.values)
PERSON_EVENTS = {"suspect", "victim", "statement", "victim_contact"} | CUSTODY_EVENTS
EVENTS = {"", "investigation", "review", "log_update"} | PERSON_EVENTS
TRUE = {"1", "true", "yes", "y"}


class RowProblem(ValueError):
    pass


@dataclass
class Row:
    line: int
    raw: str
    inv: dict
    units: tuple[tuple[str, str], ...]
    officer: tuple[str, str, str] | None
    event: str
    event_date: date | None
    person_ref: str
    person_name: str
    enhanced: bool
    authority: str
    note: str
    s46a: bool = False


@dataclass
class Outcome:
    rows_read: int = 0
    rejected: int = 0
    sample: list[RowError] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    duplicate: int = 0
    investigations_created: int = 0
    investigations_updated: int = 0


def _date(value: str, name: str, *, required: bool = False) -> date | None:
    if not value.strip():
        if required:
            raise RowProblem(f"{name} is required")
        return None
    parsed = parse_date(value.strip())
    if parsed is None:
        raise RowProblem(f"{name} is not a YYYY-MM-DD date: {value!r}")
    return parsed


def _datetime(value: str, name: str, *, required: bool = False) -> datetime | None:
    if not value.strip():
        if required:
            raise RowProblem(f"{name} is required")
        return None
    parsed = parse_datetime(value.strip()) or (
        datetime.combine(parse_date(value.strip()), datetime.min.time()) if parse_date(value.strip()) else None
    )
    if parsed is None:
        raise RowProblem(f"{name} is not an ISO date-time: {value!r}")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _choice(value: str, name: str, choices) -> str:
    if value not in choices:
        raise RowProblem(f"{name} {value!r} is not one of {', '.join(sorted(c for c in choices if c))}")
    return value


def _investigation_fields(raw: dict) -> dict:
    reference = raw["crime_reference"].strip()
    if not reference:
        raise RowProblem("crime_reference is required")
    return {
        "crime_reference": reference,
        "offence": raw["offence"].strip() or "unknown",
        "offence_class": _choice(raw["offence_class"].strip(), "offence_class", Investigation.OffenceClass.values),
        "domestic_abuse": _yes(raw["domestic_abuse"]),
        "offence_date": _date(raw["offence_date"], "offence_date", required=True),
        "reported_at": _datetime(raw["reported_at"], "reported_at", required=True),
        "recorded_at": _datetime(raw["recorded_at"], "recorded_at"),
        "status": _choice(raw["status"].strip() or "open", "status", Investigation.Status.values),
        "outcome": raw["outcome"].strip(),
        "outcome_date": _date(raw["outcome_date"], "outcome_date"),
        "cancelled_date": _date(raw["cancelled_date"], "cancelled_date"),
        "cancellation_avi": raw["cancellation_avi"].strip(),
        "allocated_date": _date(raw["allocated_date"], "allocated_date"),
        "dpp_designated": _yes(raw["dpp_designated"]),
        "s47zf7_case": _yes(raw["s47zf7_case"]),
        "linked": [ref.strip() for ref in raw["linked_crimes"].split(";") if ref.strip()],
    }


def _yes(value: str) -> bool:
    return value.strip().lower() in TRUE


def _units(raw: dict) -> tuple[tuple[str, str], ...]:
    chain = tuple(
        (raw[f"{level}_code"].strip(), raw[f"{level}_name"].strip() or raw[f"{level}_code"].strip())
        for level in ("bcu", "department", "team")
    )
    if not chain[-1][0]:
        raise RowProblem("team_code is required")
    return chain


def _officer(raw: dict) -> tuple[str, str, str] | None:
    username = raw["officer_id"].strip()
    if not username:
        return None
    rank = raw["officer_rank"].strip() or User.Rank.CONSTABLE
    return username, raw["officer_name"].strip(), _choice(rank, "officer_rank", User.Rank.values)


def parse_row(raw: dict, *, line: int, text: str) -> Row:
    event = _choice(raw["event"].strip(), "event", EVENTS)
    person_ref = raw["person_ref"].strip()
    if event in PERSON_EVENTS and not person_ref:
        raise RowProblem(f"event {event} needs person_ref")
    authority = raw["authorising_rank"].strip()
    if authority:
        _choice(authority, "authorising_rank", [rank for rank, _ in AUTHORITY_CHOICES])
    return Row(
        line=line,
        raw=text,
        inv=_investigation_fields(raw),
        units=_units(raw),
        officer=_officer(raw),
        event=event,
        event_date=_date(
            raw["event_date"], "event_date", required=event not in {"", "investigation", "suspect", "victim"}
        ),
        person_ref=person_ref,
        person_name=raw["person_name"].strip(),
        enhanced=_yes(raw["enhanced_rights"]),
        authority=authority,
        note=raw["note"].strip(),
        s46a=event == "arrest" and _yes(raw["s46a_rearrest"]),
    )


def rms_rows(path: Path) -> Iterator[Row | RowError]:
    """Parsed rows of the export, or RowErrors, one at a time (the ingestion reader numbers physical lines)."""
    for source in csv_inputs([path]):
        source.require(COLUMNS, "records-management (RMS) export, see docs/rms-export.md,")
        header = source.header
        for item in source.rows():
            if isinstance(item, RowError):
                yield item
                continue
            line, fields = item
            raw = {**dict.fromkeys(OPTIONAL_COLUMNS, ""), **dict(zip(header, fields, strict=True))}
            text = ",".join(fields)
            try:
                yield parse_row(raw, line=line, text=text)
            except RowProblem as error:
                yield RowError(line, text, str(error))


# --- writing -------------------------------------------------------------------------------------------------


def _unit(code: str, name: str, kind: str, parent: OrgUnit | None, cache: dict) -> OrgUnit | None:
    if not code:
        return parent
    if code not in cache:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            unit = OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent)
        elif unit.name != name and name != code:
            unit.name = name
            unit.save(update_fields=["name"])
        cache[code] = unit
    return cache[code]


def units_upsert(rows: list[Row]) -> dict[str, OrgUnit]:
    cache = {}
    force = OrgUnit.objects.filter(kind=OrgUnit.Kind.FORCE).first()
    for chain in {row.units for row in rows}:
        parent = force
        for (code, name), kind in zip(
            chain, (OrgUnit.Kind.BCU, OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.TEAM), strict=True
        ):
            parent = _unit(code, name, kind, parent, cache)
    return cache


def officers_upsert(rows: list[Row], teams: dict[str, OrgUnit]) -> dict[str, User]:
    """Officers named by the export. Existing accounts are left as they are (the export does not manage them);
    new ones are created inactive with no usable password: records, not logins."""
    wanted = {row.officer[0]: (row.officer, row.units[-1][0]) for row in rows if row.officer}
    users = {user.username: user for user in User.objects.filter(username__in=wanted)}
    for username, ((_, name, rank), team_code) in wanted.items():
        if username in users:
            continue
        first, _, last = name.partition(" ")
        user = User(username=username, first_name=first, last_name=last, role="officer", rank=rank, is_active=False)
        user.unit = teams[team_code]
        user.set_unusable_password()
        user.save()
        users[username] = user
    return users


def investigations_upsert(rows: list[Row], teams, officers, outcome: Outcome) -> dict[str, Investigation]:
    """Create or update the chunk's investigations (the last row of a reference wins); only a stored value that
    changes counts as an update."""
    latest = {row.inv["crime_reference"]: row for row in rows}
    existing = Investigation.objects.in_bulk(list(latest), field_name="crime_reference")
    fresh, changed = [], []
    for reference, row in latest.items():
        fields = {k: v for k, v in row.inv.items() if k != "linked"}
        fields["team"] = teams[row.units[-1][0]]
        fields["officer"] = officers.get(row.officer[0]) if row.officer else None
        investigation = existing.get(reference) or Investigation()
        if investigation.pk and all(getattr(investigation, name) == value for name, value in fields.items()):
            continue
        for name, value in fields.items():
            setattr(investigation, name, value)
        (changed if investigation.pk else fresh).append(investigation)
    Investigation.objects.bulk_create(fresh, batch_size=CHUNK)
    Investigation.objects.bulk_update(changed, latest_fields(), batch_size=CHUNK)
    outcome.investigations_created += len(fresh)
    outcome.investigations_updated += len(changed)
    return Investigation.objects.in_bulk(list(latest), field_name="crime_reference")


def latest_fields() -> list[str]:
    return [f.name for f in Investigation._meta.concrete_fields if f.name not in {"id", "crime_reference"}]


class Links:
    """Linked crimes, both ways. A link to a crime not imported yet (later in the file) waits in a spool file until
    the end, so memory stays flat."""

    def __init__(self):
        self.pending = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 (closed by finish)

    def add(self, pairs: list[tuple[str, str]]) -> None:
        targets = Investigation.objects.in_bulk({ref for pair in pairs for ref in pair}, field_name="crime_reference")
        found = [(targets[a].id, targets[b].id) for a, b in pairs if a in targets and b in targets and a != b]
        for a, b in pairs:
            if b not in targets:
                self.pending.write(json.dumps([a, b]) + "\n")
        through = Investigation.linked_crimes.through
        links = [through(from_investigation_id=a, to_investigation_id=b) for x, y in found for a, b in ((x, y), (y, x))]
        through.objects.bulk_create(links, ignore_conflicts=True, batch_size=CHUNK)

    def finish(self) -> None:
        self.pending.seek(0)
        batch = []
        for line in self.pending:
            batch.append(tuple(json.loads(line)))
            if len(batch) >= CHUNK:
                self._retry(batch)
                batch = []
        self._retry(batch)
        self.pending.close()

    def _retry(self, pairs: list[tuple[str, str]]) -> None:
        targets = Investigation.objects.in_bulk({ref for pair in pairs for ref in pair}, field_name="crime_reference")
        through = Investigation.linked_crimes.through
        links = [
            through(from_investigation_id=targets[x].id, to_investigation_id=targets[y].id)
            for a, b in pairs
            if a in targets and b in targets
            for x, y in ((a, b), (b, a))
        ]
        through.objects.bulk_create(links, ignore_conflicts=True, batch_size=CHUNK)


def people_upsert(rows: list[Row], cases) -> tuple[dict, dict]:
    """Suspects and victims named by person events, keyed (investigation id, person_ref)."""
    suspects, victims = {}, {}
    for row in rows:
        case = cases[row.inv["crime_reference"]]
        key = (case.id, row.person_ref)
        if row.event in CUSTODY_EVENTS or row.event == "suspect":
            suspects.setdefault(key, Suspect(investigation=case, reference=row.person_ref, name=row.person_name))
        elif row.event in {"victim", "statement", "victim_contact"}:
            victim = victims.setdefault(key, Victim(investigation=case, reference=row.person_ref, name=row.person_name))
            victim.enhanced_rights = victim.enhanced_rights or row.enhanced
            if row.event == "statement":
                victim.statement_received_on = row.event_date
    Suspect.objects.bulk_create(suspects.values(), ignore_conflicts=True, batch_size=2000)
    Victim.objects.bulk_create(
        victims.values(),
        update_conflicts=True,
        unique_fields=["investigation", "reference"],
        update_fields=["name", "enhanced_rights", "statement_received_on"],
        batch_size=2000,
    )
    case_ids = [case.id for case in cases.values()]
    return (
        {(s.investigation_id, s.reference): s for s in Suspect.objects.filter(investigation_id__in=case_ids)},
        {(v.investigation_id, v.reference): v for v in Victim.objects.filter(investigation_id__in=case_ids)},
    )


def _bail_checked(rows: list[Row], suspects: dict, cases, rejected: "Rejections") -> list[Row]:
    """Drop (and reject) bail extensions the law refuses (too junior an authority, or decided after bail ended),
    walking each suspect's history as stored and as this chunk adds to it."""
    history = defaultdict(list)
    stored = CustodyEvent.objects.filter(suspect__in=list(suspects.values())).order_by("occurred_on", "id")
    for event in stored.values_list("suspect_id", "id", "kind", "occurred_on", "authorising_rank", "s46a_rearrest"):
        history[event[0]].append(EventFacts(*event[1:]))
    by_suspect = defaultdict(list)
    for row in sorted((r for r in rows if r.event in CUSTODY_EVENTS), key=lambda r: (r.event_date, r.line)):
        case = cases[row.inv["crime_reference"]]
        by_suspect[suspects[(case.id, row.person_ref)].id].append((row, case))
    refused = set()
    for suspect_id, suspect_rows in by_suspect.items():
        facts = SuspectFacts(suspect_id, "", list(history[suspect_id]))
        for row, case in suspect_rows:
            if any(e.kind == row.event and e.on == row.event_date for e in facts.events):
                continue  # already stored: a re-import, not a further extension
            if row.event == "bail_extension" and not _extension_ok(facts, row, case, rejected):
                refused.add(row.line)
                continue
            facts.events.append(EventFacts(0, row.event, row.event_date, row.authority, row.s46a))
            facts.events.sort(key=lambda e: e.on)
    return [row for row in rows if row.line not in refused]


def _extension_ok(facts: SuspectFacts, row: Row, case: Investigation, rejected: "Rejections") -> bool:
    bail_case = bail.BailCase(designated=case.dpp_designated, s47zf7=case.s47zf7_case)
    position = bail.position_of(facts, bail_case, until=row.event_date)
    try:
        bail.extension_check(position=position, authority=row.authority, decided_on=row.event_date, case=bail_case)
    except ValidationError as error:
        rejected.add(RowError(row.line, row.raw, "; ".join(error.messages)))
        return False
    return True


def _event_records(rows: list[Row], cases, suspects, victims) -> dict:
    records = defaultdict(list)
    for row in rows:
        case = cases[row.inv["crime_reference"]]
        person = (case.id, row.person_ref)
        if row.event in CUSTODY_EVENTS:
            records[CustodyEvent].append(
                CustodyEvent(
                    investigation=case,
                    suspect=suspects[person],
                    kind=row.event,
                    occurred_on=row.event_date,
                    authorising_rank=row.authority,
                    s46a_rearrest=row.s46a,
                    note=row.note,
                )
            )
        elif row.event == "victim_contact":
            records[VictimContact].append(
                VictimContact(victim=victims[person], investigation=case, contacted_on=row.event_date, note=row.note)
            )
        elif row.event == "review":
            records[SupervisorReview].append(
                SupervisorReview(investigation=case, reviewed_on=row.event_date, note=row.note)
            )
        elif row.event == "log_update":
            records[EnquiryLogUpdate].append(
                EnquiryLogUpdate(investigation=case, logged_on=row.event_date, text=row.note)
            )
    return records


def events_insert(rows: list[Row], cases, suspects, victims) -> int:
    """Insert the chunk's events; returns how many rows the database says it wrote (the rest were already there)."""
    return sum(
        inserted_count(model, objects) for model, objects in _event_records(rows, cases, suspects, victims).items()
    )


def inserted_count(model, objects: list) -> int:
    """INSERT ... ON CONFLICT DO NOTHING (PostgreSQL and SQLite alike), summing the row counts the database
    reports: a conflicting row (already stored) is not written and not counted."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), INSERT_BATCH):
            batch = objects[start : start + INSERT_BATCH]
            params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in batch for f in fields]
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
                f"VALUES {', '.join([row_sql] * len(batch))} ON CONFLICT DO NOTHING",
                params,
            )
            written += cursor.rowcount
    return written


def _log_updates_deduplicated(rows: list[Row]) -> list[Row]:
    """Enquiry log updates have no natural key: skip those already stored, so a re-import adds none twice."""
    refs = {row.inv["crime_reference"] for row in rows if row.event == "log_update"}
    stored = set(
        EnquiryLogUpdate.objects.filter(investigation__crime_reference__in=refs).values_list(
            "investigation__crime_reference", "logged_on", "text"
        )
    )
    return [
        r for r in rows if r.event != "log_update" or (r.inv["crime_reference"], r.event_date, r.note) not in stored
    ]


EVENT_ROWS = {"review", "log_update", "victim_contact"} | CUSTODY_EVENTS


def chunk_write(rows: list[Row], outcome: Outcome, rejected: "Rejections", links: Links) -> None:
    teams = units_upsert(rows)
    officers = officers_upsert(rows, teams)
    cases = investigations_upsert(rows, teams, officers, outcome)
    links.add([(row.inv["crime_reference"], other) for row in rows for other in row.inv["linked"]])
    suspects, victims = people_upsert(rows, cases)
    rows = _bail_checked(rows, suspects, cases, rejected)
    event_rows = sum(r.event in EVENT_ROWS for r in rows)
    inserted = events_insert(_log_updates_deduplicated(rows), cases, suspects, victims)
    outcome.inserted += inserted
    outcome.duplicate += event_rows - inserted
    outcome.updated += len(rows) - event_rows


class Rejections:
    """Rejected rows: spooled by the loader's writer, counted against the ceiling, the first few kept for a run
    that fails (and so keeps nothing else)."""

    def __init__(self, run: ImportRun, outcome: Outcome, max_error_rate: float):
        self.writer, self.outcome, self.rate = RejectedWriter(run), outcome, max_error_rate

    def add(self, error: RowError) -> None:
        self.outcome.rejected += 1
        self.writer.add(error)
        if len(self.outcome.sample) < FAILED_RUN_SAMPLE:
            self.outcome.sample.append(error)
        self.check(final=False)  # the rate only rises with a rejection: fail as soon as it is over the ceiling

    def check(self, *, final: bool) -> None:
        read, rejected = self.outcome.rows_read, self.outcome.rejected
        if read and (final or read >= EARLY_CHECK_ROWS) and rejected / read > self.rate:
            where = "" if final else f" in the first {read} rows"
            raise ImportTooManyErrors(
                f"{rejected} of {read} rows rejected{where} ({rejected / read:.1%}), above the allowed "
                f"{self.rate:.1%}: nothing was imported"
            )


def _stream(path: Path, outcome: Outcome, rejected: Rejections) -> None:
    links, chunk = Links(), []
    for item in rms_rows(path):
        outcome.rows_read += 1
        if isinstance(item, RowError):
            rejected.add(item)
            continue
        chunk.append(item)
        if len(chunk) >= CHUNK:
            chunk_write(chunk, outcome, rejected, links)
            chunk = []
    chunk_write(chunk, outcome, rejected, links)
    links.finish()
    rejected.check(final=True)
    rejected.writer.save()


def investigations_import(
    *,
    path: Path | str,
    user: User | None = None,
    request=None,
    recompute: bool = True,
    max_error_rate: float | None = None,
) -> ImportRun:
    """Import one RMS export file as one transaction, record the run and its rejected rows, then recompute the
    actions. Above the error-rate ceiling (INGEST_MAX_ERROR_RATE unless given) the run fails and keeps nothing."""
    path = Path(path)
    run = ImportRun.objects.create(source=SOURCE, target=str(path)[:500], created_by=user)
    outcome = Outcome()
    rate = error_rate_ceiling() if max_error_rate is None else max_error_rate
    try:
        with transaction.atomic():
            _stream(path, outcome, Rejections(run, outcome, rate))
    except (OSError, ValueError, ImportTooManyErrors) as error:  # InputError is a ValueError
        run.status, run.error = ImportRun.Status.FAILED, str(error)
        _keep_sample(run, outcome)
    else:
        run.status = ImportRun.Status.SUCCEEDED
    _finish(run, outcome)
    audit_event(
        action=AuditEvent.Action.IMPORT,
        request=request,
        user=user,
        target=f"rms:{path.name}",
        params={"run": run.pk, "rows": run.rows_read, "rejected": run.rows_rejected},
        outcome=AuditEvent.Outcome.SUCCESS if run.status == ImportRun.Status.SUCCEEDED else AuditEvent.Outcome.FAILED,
    )
    if recompute and run.status == ImportRun.Status.SUCCEEDED:
        from investigations.services import actions_compute

        run.stats["actions"] = actions_compute()
        run.save(update_fields=["stats"])
    return run


def _keep_sample(run: ImportRun, outcome: Outcome) -> None:
    """A failed run keeps nothing but the first rejected rows, for diagnosis; its counts say nothing was written."""
    writer = RejectedWriter(run)
    for error in outcome.sample:
        writer.add(error)
    writer.save()
    outcome.inserted = outcome.updated = outcome.duplicate = 0
    outcome.investigations_created = outcome.investigations_updated = 0


def _finish(run: ImportRun, outcome: Outcome) -> None:
    run.rows_read, run.rows_rejected = outcome.rows_read, outcome.rejected
    run.rows_inserted, run.rows_updated, run.rows_duplicate = outcome.inserted, outcome.updated, outcome.duplicate
    run.stats = {
        "investigations_created": outcome.investigations_created,
        "investigations_updated": outcome.investigations_updated,
    }
    run.finished_at = timezone.now()
    run.save()
