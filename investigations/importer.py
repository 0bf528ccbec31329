"""Import a records-management (RMS) export: one CSV row per event, every row carrying its investigation's
fields (docs/rms-export.md). Creates or updates the teams and officers it names, rejects bad rows with their
line numbers, and never duplicates a record on re-import."""

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.audit import audit_event
from accounts.models import AuditEvent, OrgUnit, User
from ingestion.models import ImportRun, RejectedRow
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
CUSTODY_EVENTS = set(CustodyEvent.Kind.values)
PERSON_EVENTS = {"suspect", "victim", "statement", "victim_contact"} | CUSTODY_EVENTS
EVENTS = {"", "investigation", "review", "log_update"} | PERSON_EVENTS
TRUE = {"1", "true", "yes", "y"}


class RowError(ValueError):
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


@dataclass
class Outcome:
    rows_read: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    duplicate: int = 0
    investigations_created: int = 0
    investigations_updated: int = 0


def _date(value: str, name: str, *, required: bool = False) -> date | None:
    if not value.strip():
        if required:
            raise RowError(f"{name} is required")
        return None
    parsed = parse_date(value.strip())
    if parsed is None:
        raise RowError(f"{name} is not a YYYY-MM-DD date: {value!r}")
    return parsed


def _datetime(value: str, name: str, *, required: bool = False) -> datetime | None:
    if not value.strip():
        if required:
            raise RowError(f"{name} is required")
        return None
    parsed = parse_datetime(value.strip()) or (
        datetime.combine(parse_date(value.strip()), datetime.min.time()) if parse_date(value.strip()) else None
    )
    if parsed is None:
        raise RowError(f"{name} is not an ISO date-time: {value!r}")
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _choice(value: str, name: str, choices) -> str:
    if value not in choices:
        raise RowError(f"{name} {value!r} is not one of {', '.join(sorted(c for c in choices if c))}")
    return value


def _investigation_fields(raw: dict) -> dict:
    reference = raw["crime_reference"].strip()
    if not reference:
        raise RowError("crime_reference is required")
    return {
        "crime_reference": reference,
        "offence": raw["offence"].strip() or "unknown",
        "offence_class": _choice(raw["offence_class"].strip(), "offence_class", Investigation.OffenceClass.values),
        "domestic_abuse": raw["domestic_abuse"].strip().lower() in TRUE,
        "offence_date": _date(raw["offence_date"], "offence_date", required=True),
        "reported_at": _datetime(raw["reported_at"], "reported_at", required=True),
        "recorded_at": _datetime(raw["recorded_at"], "recorded_at"),
        "status": _choice(raw["status"].strip() or "open", "status", Investigation.Status.values),
        "outcome": raw["outcome"].strip(),
        "outcome_date": _date(raw["outcome_date"], "outcome_date"),
        "cancelled_date": _date(raw["cancelled_date"], "cancelled_date"),
        "cancellation_avi": raw["cancellation_avi"].strip(),
        "allocated_date": _date(raw["allocated_date"], "allocated_date"),
        "linked": [ref.strip() for ref in raw["linked_crimes"].split(";") if ref.strip()],
    }


def _units(raw: dict) -> tuple[tuple[str, str], ...]:
    chain = tuple(
        (raw[f"{level}_code"].strip(), raw[f"{level}_name"].strip() or raw[f"{level}_code"].strip())
        for level in ("bcu", "department", "team")
    )
    if not chain[-1][0]:
        raise RowError("team_code is required")
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
        raise RowError(f"event {event} needs person_ref")
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
        enhanced=raw["enhanced_rights"].strip().lower() in TRUE,
        authority=authority,
        note=raw["note"].strip(),
    )


def read_rows(path: Path, outcome: Outcome) -> list[Row]:
    rows = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        lines = handle.read().splitlines()
    reader = csv.DictReader(lines)
    missing = [name for name in COLUMNS if name not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path.name} lacks the columns {', '.join(missing)} (see docs/rms-export.md)")
    for raw in reader:
        outcome.rows_read += 1
        line = reader.line_num
        text = lines[line - 1] if line - 1 < len(lines) else ""
        try:
            rows.append(parse_row({k: v or "" for k, v in raw.items()}, line=line, text=text))
        except RowError as error:
            outcome.rejected.append((line, text, str(error)))
    return rows


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
    latest = {row.inv["crime_reference"]: row for row in rows}
    existing = Investigation.objects.in_bulk(list(latest), field_name="crime_reference")
    fresh, changed = [], []
    for reference, row in latest.items():
        fields = {k: v for k, v in row.inv.items() if k != "linked"}
        fields["team"] = teams[row.units[-1][0]]
        fields["officer"] = officers.get(row.officer[0]) if row.officer else None
        investigation = existing.get(reference) or Investigation()
        for name, value in fields.items():
            setattr(investigation, name, value)
        (changed if investigation.pk else fresh).append(investigation)
    Investigation.objects.bulk_create(fresh, batch_size=2000)
    Investigation.objects.bulk_update(changed, [f for f in latest_fields()], batch_size=2000)
    outcome.investigations_created, outcome.investigations_updated = len(fresh), len(changed)
    cases = Investigation.objects.in_bulk(list(latest), field_name="crime_reference")
    _link(latest, cases)
    return cases


def latest_fields() -> list[str]:
    return [f.name for f in Investigation._meta.concrete_fields if f.name not in {"id", "crime_reference"}]


def _link(latest: dict[str, Row], cases: dict[str, Investigation]) -> None:
    through = Investigation.linked_crimes.through
    targets = Investigation.objects.in_bulk(
        {ref for row in latest.values() for ref in row.inv["linked"]}, field_name="crime_reference"
    )
    links = [
        through(from_investigation_id=cases[ref].id, to_investigation_id=targets[other].id)
        for ref, row in latest.items()
        for other in row.inv["linked"]
        if other in targets and other != ref
    ]
    reverse = [
        through(from_investigation_id=link.to_investigation_id, to_investigation_id=link.from_investigation_id)
        for link in links
    ]
    through.objects.bulk_create(links + reverse, ignore_conflicts=True)


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


def _bail_checked(rows: list[Row], suspects: dict, cases, outcome: Outcome) -> list[Row]:
    """Drop (and reject) bail extensions recorded by too junior an authority, walking each suspect's history."""
    history = defaultdict(list)
    for event in CustodyEvent.objects.filter(suspect__in=list(suspects.values())).order_by("occurred_on", "id"):
        history[event.suspect_id].append(EventFacts(event.id, event.kind, event.occurred_on, event.authorising_rank))
    by_suspect = defaultdict(list)
    for row in sorted((r for r in rows if r.event in CUSTODY_EVENTS), key=lambda r: (r.event_date, r.line)):
        by_suspect[suspects[(cases[row.inv["crime_reference"]].id, row.person_ref)].id].append(row)
    rejected = set()
    for suspect_id, suspect_rows in by_suspect.items():
        facts = SuspectFacts(suspect_id, "", list(history[suspect_id]))
        for row in suspect_rows:
            if any(e.kind == row.event and e.on == row.event_date for e in facts.events):
                continue  # already stored: a re-import, not a further extension
            if row.event == "bail_extension" and not _extension_ok(facts, row, outcome):
                rejected.add(row.line)
                continue
            facts.events.append(EventFacts(0, row.event, row.event_date, row.authority))
            facts.events.sort(key=lambda e: e.on)
    return [row for row in rows if row.line not in rejected]


def _extension_ok(facts: SuspectFacts, row: Row, outcome: Outcome) -> bool:
    prior = SuspectFacts(facts.id, "", [e for e in facts.events if e.on <= row.event_date])
    position = bail.bail_position(prior)
    try:
        if position is None:
            raise ValidationError("a bail extension for a suspect who is not on pre-charge bail")
        bail.extension_check(arrested_on=position[0], prior_extensions=position[1], authority=row.authority)
    except ValidationError as error:
        outcome.rejected.append((row.line, row.raw, "; ".join(error.messages)))
        return False
    return True


def events_insert(rows: list[Row], cases, suspects, victims) -> int:
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
    inserted = 0
    for model, objects in records.items():
        before = model.objects.count()
        model.objects.bulk_create(objects, ignore_conflicts=True, batch_size=2000)
        inserted += model.objects.count() - before
    return inserted


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


@transaction.atomic
def _write(rows: list[Row], outcome: Outcome) -> None:
    teams = units_upsert(rows)
    officers = officers_upsert(rows, teams)
    cases = investigations_upsert(rows, teams, officers, outcome)
    suspects, victims = people_upsert(rows, cases)
    rows = _bail_checked(rows, suspects, cases, outcome)
    event_rows = [r for r in rows if r.event in {"review", "log_update", "victim_contact"} | CUSTODY_EVENTS]
    inserted = events_insert(_log_updates_deduplicated(rows), cases, suspects, victims)
    outcome.inserted = inserted
    outcome.duplicate = len(event_rows) - inserted
    outcome.updated = len(rows) - len(event_rows)


def investigations_import(
    *, path: Path | str, user: User | None = None, request=None, recompute: bool = True
) -> ImportRun:
    """Import one RMS export file, record the run and its rejected rows, then recompute the actions."""
    path = Path(path)
    run = ImportRun.objects.create(source=SOURCE, target=str(path), created_by=user)
    outcome = Outcome()
    try:
        _write(read_rows(path, outcome), outcome)
    except (OSError, ValueError) as error:
        run.status, run.error = ImportRun.Status.FAILED, str(error)
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


def _finish(run: ImportRun, outcome: Outcome) -> None:
    RejectedRow.objects.bulk_create(
        [
            RejectedRow(run=run, line_number=line, raw_text=text, reason=reason[:500])
            for line, text, reason in outcome.rejected
        ]
    )
    run.rows_read, run.rows_rejected = outcome.rows_read, len(outcome.rejected)
    run.rows_inserted, run.rows_updated, run.rows_duplicate = outcome.inserted, outcome.updated, outcome.duplicate
    run.stats = {
        "investigations_created": outcome.investigations_created,
        "investigations_updated": outcome.investigations_updated,
    }
    run.finished_at = timezone.now()
    run.save()
