"""Writes: recomputing actions, completing them, reassigning, recording custody events, trend snapshots."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from accounts.audit import audit_event
from accounts.models import AuditEvent, User
from investigations import selectors
from investigations.conf import RuleSettings, rule_settings
from investigations.models import (
    Action,
    ActionCountSnapshot,
    CdiCheck,
    CustodyEvent,
    Investigation,
    SupervisorReview,
    Suspect,
    Victim,
    VictimContact,
)
from investigations.rules import bail, case_actions, cdi
from investigations.rules.facts import ActionSpec

BATCH = 2000
COMPLETE_PERMISSION = {Action.Kind.REVIEW: "investigations.complete_review"}
DEFAULT_COMPLETE_PERMISSION = "investigations.complete_victim_contact"
EDITABLE = ["kind", "title", "due_on", "warning_days", "warn_from", "team_id", "officer_id", "state"]
REOPENED = [*EDITABLE, "completed_by", "completed_at"]


# --- recompute -----------------------------------------------------------------------------------------------


def actions_compute(*, today: date | None = None, investigation_ids=None) -> dict[str, int]:
    """Run every rule over the active investigations and bring the Action table in line, set-based.

    New (rule, key) pairs are inserted open; existing ones follow the rule: one the rule still produces is open
    (a cancelled one, or one marked done while the record still lacks what closes it, reopens) unless a supervisor
    closed it with a reason; open ones no rule produces any more are closed by the record (cancelled)."""
    today = today or selectors.local_today()
    conf = rule_settings()
    scope = selectors.active_investigations(today=today, investigation_ids=investigation_ids)
    cases, owners = selectors.case_facts_list(scope)
    wanted = {}
    for case in cases:
        for spec in case_actions(case, today=today, conf=conf):
            wanted[(spec.rule, spec.key)] = (spec, case.id)
    with transaction.atomic():
        stats = _apply_actions(wanted, owners, today=today, investigation_ids=investigation_ids, scope=scope)
        stats["cdi_failures"] = _store_cdi(cases, conf=conf, today=today, scope=scope)
    actions_changed()
    return stats


def actions_changed() -> None:
    """Expire every cached roll-up (they are keyed by this version)."""
    selectors.ACTIONS_VERSION.bump()


ACTION_COPY = ["investigation_id", "kind", "title", "due_on", "warning_days", "warn_from", "team_id", "officer_id"]
ACTION_COPY += ["state", "rule", "key", "created_on", "note", "supervisor_reason"]
EXISTING = ["id", "rule", "key", "state", "supervisor_reason", *ACTION_COPY[1:8]]


def _apply_actions(wanted, owners, *, today, investigation_ids, scope) -> dict[str, int]:
    """Compare plain tuples (no model instances: at force scale building them cost more than the rules), then
    write in bulk: new rows by COPY on PostgreSQL, changed rows by one UPDATE ... FROM unnest() per chunk."""
    existing = {
        (row[1], row[2]): row
        for row in Action.objects.filter(investigation__in=scope).values_list(*EXISTING).iterator(chunk_size=BATCH)
    }
    created, changed = [], []
    for rule_key, (spec, case_id) in wanted.items():
        values = _spec_values(spec, owners[case_id])
        row = existing.get(rule_key)
        if row is None:
            created.append((case_id, *values, Action.State.OPEN, spec.rule, spec.key, today, "", ""))
        elif not row[4] and (row[3] != Action.State.OPEN or row[5:] != values):
            changed.append((row[0], row[3] == Action.State.DONE, *values))  # reopens a done one: who/when cleared
    cancelled = [row[0] for rule_key, row in existing.items() if row[3] == Action.State.OPEN and rule_key not in wanted]
    del existing
    rows_insert(Action, ACTION_COPY, created)
    _actions_update(changed)
    for start in range(0, len(cancelled), BATCH * 5):
        Action.objects.filter(id__in=cancelled[start : start + BATCH * 5]).update(state=Action.State.CANCELLED)
    orphans = Action.objects.filter(state=Action.State.OPEN).exclude(investigation__in=scope)
    if investigation_ids is not None:
        orphans = orphans.filter(investigation_id__in=investigation_ids)
    orphaned = orphans.update(state=Action.State.CANCELLED)
    return {"created": len(created), "updated": len(changed), "cancelled": len(cancelled) + orphaned}


def _spec_values(spec: ActionSpec, owner: tuple[int, int | None]) -> tuple:
    """kind, title, due_on, warning_days, warn_from, team_id, officer_id: what the rule decides of an action."""
    warn_from = spec.due_on - timedelta(days=spec.warning_days)
    return (spec.kind, spec.title[:300], spec.due_on, spec.warning_days, warn_from, owner[0], owner[1])


def rows_insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain tuples: PostgreSQL's COPY (no model instances, no per-value ORM preparation), else
    bulk_create in batches."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=BATCH)
        return
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


UPDATE_ACTIONS = """
UPDATE investigations_action AS a
SET kind = v.kind, title = v.title, due_on = v.due_on, warning_days = v.warning_days, warn_from = v.warn_from,
    team_id = v.team_id, officer_id = v.officer_id, state = 'open',
    completed_by_id = CASE WHEN v.reopen THEN NULL ELSE a.completed_by_id END,
    completed_at = CASE WHEN v.reopen THEN NULL ELSE a.completed_at END
FROM unnest(%s::bigint[], %s::boolean[], %s::varchar[], %s::varchar[], %s::date[], %s::integer[], %s::date[],
            %s::bigint[], %s::bigint[])
     AS v(id, reopen, kind, title, due_on, warning_days, warn_from, team_id, officer_id)
WHERE a.id = v.id
"""


def _actions_update(changed: list[tuple]) -> None:
    """Bring changed actions in line with their rule, open; a done one reopens with who and when cleared."""
    for start in range(0, len(changed), BATCH):
        chunk = changed[start : start + BATCH]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(UPDATE_ACTIONS, [list(column) for column in zip(*chunk, strict=True)])
            continue
        for reopen, fields in ((True, REOPENED), (False, EDITABLE)):
            actions = [
                Action(id=row[0], **dict(zip(ACTION_COPY[1:8], row[2:], strict=True)), state=Action.State.OPEN)
                for row in chunk
                if row[1] == reopen
            ]
            Action.objects.bulk_update(actions, fields)


def _store_cdi(cases, *, conf: RuleSettings, today: date, scope) -> int:
    CdiCheck.objects.filter(investigation__in=scope).delete()
    checks = [
        (case.id, failure.check, failure.detail[:300], today) for case in cases for failure in cdi.failures(case, conf)
    ]
    rows_insert(CdiCheck, ["investigation_id", "rule_check", "detail", "checked_on"], checks)
    return len(checks)


# --- completing, reassigning, recording ----------------------------------------------------------------------


def custody_event_record(
    *,
    suspect: Suspect,
    kind: str,
    occurred_on: date,
    authorising_rank: str = "",
    s46a_rearrest: bool = False,
    note: str = "",
) -> CustodyEvent:
    """Record a custody event; a bail extension the law does not allow (too junior, or after bail ended) is refused
    with the section (PACE ss47ZD-47ZG)."""
    if kind == CustodyEvent.Kind.BAIL_EXTENSION:
        bail_extension_check(suspect=suspect, authority=authorising_rank, decided_on=occurred_on)
    return CustodyEvent.objects.create(
        investigation_id=suspect.investigation_id,
        suspect=suspect,
        kind=kind,
        occurred_on=occurred_on,
        authorising_rank=authorising_rank,
        s46a_rearrest=s46a_rearrest and kind == CustodyEvent.Kind.ARREST,
        note=note,
    )


def bail_extension_check(*, suspect: Suspect, authority: str, decided_on: date) -> bail.Step:
    investigation = suspect.investigation
    case = bail.BailCase(designated=investigation.dpp_designated, s47zf7=investigation.s47zf7_case)
    position = bail.position_of(selectors.suspect_facts(suspect), case, until=decided_on)
    return bail.extension_check(position=position, authority=authority, decided_on=decided_on, case=case)


@dataclass(frozen=True)
class Evidence:
    """The record that does an action's task: a custody event (`kind`, `on`, `suspect_id`, `authority`), the moment
    a crime was recorded (`recorded_at`), or the additional verifiable information of a cancellation (`text`)."""

    kind: str = ""
    on: date | None = None
    suspect_id: int | None = None
    authority: str = ""
    recorded_at: datetime | None = None
    text: str = ""


EVIDENCE_EVENTS = selectors.EVIDENCE_EVENTS
SUPERVISOR_CLOSE_PERMISSION = "investigations.complete_review"


def action_complete(
    *, action: Action, user: User, note: str = "", evidence: Evidence | None = None, request=None
) -> Action:
    """Do the task behind an action and record it (a review, a victim update, the charge, decision or custody event
    that the rule asks for), mark it done and audit who and when. The recompute that follows reopens it at once
    if the record still does not satisfy its rule."""
    permission = COMPLETE_PERMISSION.get(action.kind, DEFAULT_COMPLETE_PERMISSION)
    if not user.has_perm(permission):
        raise PermissionDenied("Your role may not complete this kind of action.")
    if action.state != Action.State.OPEN:
        raise ValidationError("This action is no longer open.")
    today = selectors.local_today()
    with transaction.atomic():
        _record_the_work(action, user=user, note=note, evidence=evidence or Evidence(), today=today)
        _close(action, user=user, note=note, reason="", request=request)
    actions_compute(today=today, investigation_ids=[action.investigation_id])
    action.refresh_from_db()
    return action


def action_close_with_reason(*, action: Action, user: User, reason: str, request=None) -> Action:
    """A supervisor closes an action without the record that would close it; the reason stands against the
    recompute, goes to the audit trail and shows on the investigation."""
    if not user.has_perm(SUPERVISOR_CLOSE_PERMISSION):
        raise PermissionDenied("Only a supervisor may close an action without the record that does it.")
    if action.state != Action.State.OPEN:
        raise ValidationError("This action is no longer open.")
    if not reason.strip():
        raise ValidationError("Say why the action is closed without the record that would close it.")
    with transaction.atomic():
        _close(action, user=user, note="", reason=reason.strip(), request=request)
    actions_changed()
    return action


def _close(action: Action, *, user: User, note: str, reason: str, request) -> None:
    action.state, action.completed_by, action.completed_at = Action.State.DONE, user, timezone.now()
    action.note, action.supervisor_reason = note, reason
    action.save(update_fields=["state", "completed_by", "completed_at", "note", "supervisor_reason"])
    params = {"completed": action.kind, "note": note[:200]}
    if reason:
        params = {"closed_by_supervisor": action.kind, "reason": reason[:500]}
    audit_event(
        action=AuditEvent.Action.UPDATE,
        request=request,
        user=user,
        target=f"action:{action.pk} {action.get_kind_display()} {action.investigation.crime_reference}",
        params=params,
    )


def _record_the_work(action: Action, *, user: User, note: str, evidence: Evidence, today: date) -> None:
    if action.kind == Action.Kind.REVIEW:
        SupervisorReview.objects.update_or_create(
            investigation_id=action.investigation_id, reviewed_on=today, defaults={"reviewer": user, "note": note}
        )
    elif action.kind == Action.Kind.VICTIM_CONTACT:
        victim = Victim.objects.get(pk=int(action.key.split(":")[0]))
        VictimContact.objects.update_or_create(
            victim=victim,
            contacted_on=today,
            defaults={"investigation_id": victim.investigation_id, "by": user, "note": note},
        )
    elif action.kind in EVIDENCE_EVENTS:
        _custody_evidence(action, evidence=evidence, note=note, today=today)
    elif action.kind == Action.Kind.CDI:
        _cdi_evidence(action, evidence=evidence)


def _custody_evidence(action: Action, *, evidence: Evidence, note: str, today: date) -> None:
    allowed = EVIDENCE_EVENTS[action.kind]
    if evidence.kind not in allowed:
        labels = ", ".join(str(CustodyEvent.Kind(kind).label).lower() for kind in allowed)
        raise ValidationError(f"Record what was done ({labels}) with its date: a note alone does not close this.")
    if evidence.on is None or evidence.on > today:
        raise ValidationError("Give the date it happened (today or earlier).")
    suspects = Suspect.objects.filter(investigation_id=action.investigation_id)
    suspect_id = int(action.key.split(":")[0]) if action.kind != Action.Kind.TIME_LIMIT else evidence.suspect_id
    suspect = suspects.filter(pk=suspect_id).first() or (suspects.first() if suspects.count() == 1 else None)
    if suspect is None:
        raise ValidationError("Choose the suspect it concerns; with no named suspect, record the outcome instead.")
    custody_event_record(
        suspect=suspect,
        kind=evidence.kind,
        occurred_on=evidence.on,
        authorising_rank=evidence.authority if evidence.kind == CustodyEvent.Kind.BAIL_EXTENSION else "",
        s46a_rearrest=action.kind == Action.Kind.SURRENDER,
        note=note,
    )


def _cdi_evidence(action: Action, *, evidence: Evidence) -> None:
    check = action.key.split(":", 1)[1]
    investigation = action.investigation
    if check == "not_recorded" and evidence.recorded_at is not None:
        if evidence.recorded_at < investigation.reported_at or evidence.recorded_at > timezone.now():
            raise ValidationError("The crime cannot be recorded before it was reported, or in the future.")
        investigation.recorded_at = evidence.recorded_at
        investigation.save(update_fields=["recorded_at"])
    elif check == "cancellation_without_avi" and evidence.text.strip():
        investigation.cancellation_avi = evidence.text.strip()
        investigation.save(update_fields=["cancellation_avi"])
    else:
        raise ValidationError(
            "Put this right in the records system (it clears at the next import), or ask a supervisor to close it "
            "with a reason: a note alone does not close a crime data integrity action."
        )


def investigation_reassign(*, investigation: Investigation, officer: User, user: User, request=None) -> Investigation:
    if not user.has_perm("investigations.reassign_investigation"):
        raise PermissionDenied("Your role may not reassign investigations.")
    if officer.unit_id != investigation.team_id:
        raise ValidationError(f"{officer} is not in {investigation.team}.")
    previous = investigation.officer
    investigation.officer, investigation.allocated_date = officer, selectors.local_today()
    investigation.save(update_fields=["officer", "allocated_date"])
    Action.objects.filter(investigation=investigation, state=Action.State.OPEN).update(officer=officer)
    audit_event(
        action=AuditEvent.Action.UPDATE,
        request=request,
        user=user,
        target=f"investigation:{investigation.pk} {investigation.crime_reference}",
        params={"reassigned_from": str(previous or ""), "reassigned_to": officer.username},
    )
    actions_compute(investigation_ids=[investigation.pk])
    return investigation


# --- trend ---------------------------------------------------------------------------------------------------


def action_counts_snapshot(*, day: date | None = None) -> int:
    """Store today's outstanding and overdue open actions per team and kind."""
    day = day or selectors.local_today()
    rows = (
        Action.objects.filter(state=Action.State.OPEN)
        .values("team_id", "kind")
        .annotate(outstanding=Count("id"), overdue=Count("id", filter=Q(due_on__lt=day)))
    )
    return _replace_snapshots({day: {(r["team_id"], r["kind"]): (r["outstanding"], r["overdue"]) for r in rows}})


def _replace_snapshots(days: dict[date, dict[tuple[int, str], tuple[int, int]]]) -> int:
    snapshots = [
        ActionCountSnapshot(day=day, team_id=team_id, kind=kind, outstanding=outstanding, overdue=overdue)
        for day, counts in days.items()
        for (team_id, kind), (outstanding, overdue) in counts.items()
    ]
    with transaction.atomic():
        ActionCountSnapshot.objects.filter(day__in=list(days)).delete()
        ActionCountSnapshot.objects.bulk_create(snapshots, batch_size=BATCH)
    actions_changed()
    return len(snapshots)


def action_counts_backfill(*, days: int = 90, today: date | None = None) -> int:
    """Rebuild past daily snapshots by running the rules on what was known at the end of each past day."""
    today = today or selectors.local_today()
    conf = rule_settings()
    cases, owners = selectors.case_facts_list(selectors.active_investigations(today=today, every=True))
    history = {}
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        counts = Counter()
        for case in cases:
            past = case.as_of(day)
            for spec in case_actions(past, today=day, conf=conf) if past else []:
                key = (owners[case.id][0], spec.kind)
                counts[(key, "outstanding")] += 1
                counts[(key, "overdue")] += spec.due_on < day
        history[day] = _pairs(counts)
    return _replace_snapshots(history)


def _pairs(counts: Counter) -> dict[tuple[int, str], tuple[int, int]]:
    keys = {key for key, _measure in counts}
    return {key: (counts[(key, "outstanding")], counts[(key, "overdue")]) for key in keys}
