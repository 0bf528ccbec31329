"""Writes: recomputing actions, completing them, reassigning, recording custody events, trend snapshots."""

from collections import Counter
from datetime import date, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from investigations.rules.facts import ActionSpec, EventFacts, SuspectFacts

BATCH = 2000
COMPLETE_PERMISSION = {Action.Kind.REVIEW: "investigations.complete_review"}
DEFAULT_COMPLETE_PERMISSION = "investigations.complete_victim_contact"
EDITABLE = ["kind", "title", "due_on", "warning_days", "warn_from", "team_id", "officer_id", "state"]


# --- recompute -----------------------------------------------------------------------------------------------


def actions_compute(*, today: date | None = None, investigation_ids=None) -> dict[str, int]:
    """Run every rule over the active investigations and bring the Action table in line, set-based.

    New (rule, key) pairs are inserted open; existing open or cancelled ones follow the rule (a cancelled one
    the rule produces again reopens); done ones are never touched; open ones no rule produces are cancelled."""
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
    """Expire every cached roll-up (they are keyed by this generation)."""
    try:
        cache.incr(selectors.GENERATION_KEY)
    except ValueError:  # not set yet: the next read starts a generation
        cache.set(selectors.GENERATION_KEY, 2, None)


def _apply_actions(wanted, owners, *, today, investigation_ids, scope) -> dict[str, int]:
    existing_qs = Action.objects.filter(investigation__in=scope)
    existing = {(a.rule, a.key): a for a in existing_qs.only(*EDITABLE, "rule", "key", "investigation_id")}
    created, changed, cancelled = [], [], []
    for rule_key, (spec, case_id) in wanted.items():
        action = existing.get(rule_key)
        if action is None:
            created.append(_new_action(spec, case_id, owners[case_id], today))
        elif action.state != Action.State.DONE and _refresh(action, spec, owners[case_id]):
            changed.append(action)
    for rule_key, action in existing.items():
        if action.state == Action.State.OPEN and rule_key not in wanted:
            action.state = Action.State.CANCELLED
            cancelled.append(action)
    Action.objects.bulk_create(created, batch_size=BATCH)
    Action.objects.bulk_update(changed + cancelled, EDITABLE, batch_size=BATCH)
    orphans = Action.objects.filter(state=Action.State.OPEN).exclude(investigation__in=scope)
    if investigation_ids is not None:
        orphans = orphans.filter(investigation_id__in=investigation_ids)
    orphaned = orphans.update(state=Action.State.CANCELLED)
    return {"created": len(created), "updated": len(changed), "cancelled": len(cancelled) + orphaned}


def _spec_fields(spec: ActionSpec, owner: tuple[int, int | None]) -> dict:
    return {
        "kind": spec.kind,
        "title": spec.title[:300],
        "due_on": spec.due_on,
        "warning_days": spec.warning_days,
        "warn_from": spec.due_on - timedelta(days=spec.warning_days),
        "team_id": owner[0],
        "officer_id": owner[1],
        "state": Action.State.OPEN,
    }


def _new_action(spec: ActionSpec, case_id: int, owner, today: date) -> Action:
    return Action(investigation_id=case_id, rule=spec.rule, key=spec.key, created_on=today, **_spec_fields(spec, owner))


def _refresh(action: Action, spec: ActionSpec, owner) -> bool:
    fields = _spec_fields(spec, owner)
    if all(getattr(action, name) == value for name, value in fields.items()):
        return False
    for name, value in fields.items():
        setattr(action, name, value)
    return True


def _store_cdi(cases, *, conf: RuleSettings, today: date, scope) -> int:
    CdiCheck.objects.filter(investigation__in=scope).delete()
    checks = [
        CdiCheck(investigation_id=case.id, rule_check=failure.check, detail=failure.detail[:300], checked_on=today)
        for case in cases
        for failure in cdi.failures(case, conf)
    ]
    CdiCheck.objects.bulk_create(checks, batch_size=BATCH)
    return len(checks)


# --- completing, reassigning, recording ----------------------------------------------------------------------


def custody_event_record(
    *, suspect: Suspect, kind: str, occurred_on: date, authorising_rank: str = "", note: str = ""
) -> CustodyEvent:
    """Record a custody event; a bail extension by too junior an authority is refused (PACE ss47ZD-47ZG)."""
    if kind == CustodyEvent.Kind.BAIL_EXTENSION:
        bail_extension_check(suspect=suspect, authority=authorising_rank)
    return CustodyEvent.objects.create(
        investigation_id=suspect.investigation_id,
        suspect=suspect,
        kind=kind,
        occurred_on=occurred_on,
        authorising_rank=authorising_rank,
        note=note,
    )


def bail_extension_check(*, suspect: Suspect, authority: str) -> None:
    facts = SuspectFacts(suspect.id, suspect.name)
    for event in suspect.custody_events.order_by("occurred_on", "id"):
        facts.events.append(EventFacts(event.id, event.kind, event.occurred_on, event.authorising_rank))
    position = bail.bail_position(facts)
    if position is None:
        raise ValidationError("This suspect is not on pre-charge bail, so there is no bail to extend.")
    bail.extension_check(arrested_on=position[0], prior_extensions=position[1], authority=authority)


def action_complete(*, action: Action, user: User, note: str = "", authority: str = "", request=None) -> Action:
    """Do the task behind an action (review, victim update, bail decision...), close it and audit who and when."""
    permission = COMPLETE_PERMISSION.get(action.kind, DEFAULT_COMPLETE_PERMISSION)
    if not user.has_perm(permission):
        raise PermissionDenied("Your role may not complete this kind of action.")
    if action.state != Action.State.OPEN:
        raise ValidationError("This action is no longer open.")
    today = selectors.local_today()
    with transaction.atomic():
        _record_the_work(action, user=user, note=note, authority=authority, today=today)
        action.state, action.completed_by, action.completed_at, action.note = (
            Action.State.DONE,
            user,
            timezone.now(),
            note,
        )
        action.save(update_fields=["state", "completed_by", "completed_at", "note"])
        audit_event(
            action=AuditEvent.Action.UPDATE,
            request=request,
            user=user,
            target=f"action:{action.pk} {action.get_kind_display()} {action.investigation.crime_reference}",
            params={"completed": action.kind, "note": note[:200], "authority": authority},
        )
    actions_compute(today=today, investigation_ids=[action.investigation_id])
    return action


def _record_the_work(action: Action, *, user: User, note: str, authority: str, today: date) -> None:
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
    elif action.kind == Action.Kind.BAIL and authority:
        suspect = Suspect.objects.get(pk=int(action.key.split(":")[0]))
        custody_event_record(
            suspect=suspect, kind=CustodyEvent.Kind.BAIL_EXTENSION, occurred_on=today, authorising_rank=authority
        )
    elif not note.strip():
        raise ValidationError("Say what was done in the note.")


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
