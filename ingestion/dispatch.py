"""Live dispatch (CAD) feed: a dispatch system posts new incidents and status changes as they happen.

Each post is one DispatchUpdate keyed by (incident id, update time): posting it again changes nothing. The
Incident (source "cad", kind call, minute precision) carries the status of its latest update.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts.audit import audit_event
from accounts.models import AuditEvent
from accounts.scoping import restrict_to_areas
from ingestion import conf
from ingestion.geo import BoundaryIndex
from ingestion.lifecycle import STATUS_FIELDS, STEPS, lifecycle_problem
from ingestion.localtime import local_fields, source_zone
from ingestion.models import Area, DispatchUpdate, Incident
from ingestion.taxonomy import categoriser

SOURCE = "cad"
DISPATCH_AREA_KINDS = (Area.Kind.BOROUGH, Area.Kind.DISTRICT)
DISPATCH_MAX_AGE = timedelta(days=7)
DISPATCH_CLOCK_SKEW = timedelta(minutes=5)


def dispatch_update_record(*, data: dict, request=None) -> tuple[DispatchUpdate, bool]:
    """Check, store and audit one update (its fields parsed by DispatchUpdateSerializer); returns it and whether it
    was new. Stored in the database before anything touches the cache, so a post is never lost to Redis."""
    try:
        dispatch_update_validate(data=data)
    except ValidationError as refused:
        _dispatch_audit(request=request, data=data, outcome="denied", detail=refused.detail)
        raise
    update, created = _dispatch_update_store(data)
    _dispatch_audit(request=request, data=data, outcome="success", detail={"created": created})
    return update, created


def dispatch_update_validate(*, data: dict) -> None:
    """Refuses an area the force does not know as a borough or district, and times outside a plausible window
    (a live feed reports the last few days, not 1800 or next year)."""
    errors = {}
    area_code = data.get("area_code")
    if area_code and not Area.objects.filter(code=area_code, kind__in=DISPATCH_AREA_KINDS).exists():
        errors["area_code"] = "Not the code of a borough or district this force knows."
    now = timezone.now()
    earliest, latest = now - DISPATCH_MAX_AGE, now + DISPATCH_CLOCK_SKEW
    for field in ("updated_at", "occurred_at"):
        value = data.get(field)
        if value is not None and not earliest <= value <= latest:
            errors[field] = f"Must be within the last {DISPATCH_MAX_AGE.days} days and not in the future."
    if data.get("occurred_at") and data["occurred_at"] > data["updated_at"] + DISPATCH_CLOCK_SKEW:
        errors.setdefault("occurred_at", "Must not be after updated_at.")
    if not errors and (problem := lifecycle_problem(_lifecycle_with(data))):
        errors["updated_at"] = f"Refused: {problem}."
    if errors:
        raise ValidationError(errors)


def _lifecycle_with(data: dict) -> dict:
    """The incident's lifecycle times as they would be with this update: its status sets the matching time."""
    stored = Incident.objects.filter(source=SOURCE, source_key=data["incident_id"]).values(*STEPS).first()
    times = stored or {"occurred_at": _received(data)}
    field = STATUS_FIELDS.get(data["status"])
    if field:
        times[field] = min(filter(None, (times.get(field), data["updated_at"])))
    return times


def _received(data: dict) -> datetime:
    return (data.get("occurred_at") or data["updated_at"]).replace(second=0, microsecond=0)


def _dispatch_audit(*, request, data: dict, outcome: str, detail) -> None:
    params = {"status": data.get("status", ""), "area_code": data.get("area_code", ""), "detail": detail}
    audit_event(
        action=AuditEvent.Action.DISPATCH,
        request=request,
        target=f"incident:{data.get('incident_id', '')}",
        params=_jsonable(params),
        outcome=outcome,
    )


def _dispatch_update_store(data: dict) -> tuple[DispatchUpdate, bool]:
    existing = DispatchUpdate.objects.filter(incident_key=data["incident_id"], updated_at=data["updated_at"]).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            incident = _incident_upsert(data)
            update = DispatchUpdate.objects.create(
                incident=incident,
                incident_key=data["incident_id"],
                status=data["status"],
                updated_at=data["updated_at"],
                payload=_jsonable(data),
            )
    except IntegrityError:  # the same update posted twice at the same moment
        return DispatchUpdate.objects.get(incident_key=data["incident_id"], updated_at=data["updated_at"]), False
    return update, True


def _incident_upsert(data: dict) -> Incident:
    incidents = Incident.objects.select_for_update()
    incident = incidents.filter(source=SOURCE, source_key=data["incident_id"]).first()
    created = False
    if incident is None:  # a new call's fields (its category, its source's zone) are read only for a new call
        incident, created = incidents.get_or_create(
            source=SOURCE, source_key=data["incident_id"], defaults=_new_incident(data)
        )
    latest = incident.dispatch_updates.order_by("-updated_at").values_list("updated_at", flat=True).first()
    changed = _lifecycle_set(incident, data)  # a late-arriving older update still gives its step's time
    if not created and (latest is None or data["updated_at"] >= latest):
        # A late-arriving older update joins the history without overwriting the current status.
        incident.status = data["status"]
        for field in ("priority", "category", "location_text"):
            if data.get(field):
                setattr(incident, field, data[field])
        changed = True
    if changed:
        incident.save()
    return incident


def _lifecycle_set(incident: Incident, data: dict) -> bool:
    """The first time of each step counts (a unit back on scene later does not lengthen the response)."""
    field = STATUS_FIELDS.get(data["status"])
    if field is None or (getattr(incident, field) and getattr(incident, field) <= data["updated_at"]):
        return False
    setattr(incident, field, data["updated_at"])
    return True


def _new_incident(data: dict) -> dict:
    latitude, longitude = data.get("latitude"), data.get("longitude")
    occurred = _received(data)
    return {
        "kind": Incident.Kind.CALL,
        # a CAD system sends its own call type: the taxonomy (with this force's overrides) reads it as for imports
        "category": data.get("category") or categoriser(source=SOURCE)(data.get("raw_category") or ""),
        "raw_category": data.get("raw_category") or data.get("category") or "",
        "occurred_at": occurred,
        # the feed sends offsets, not a zone: its calls are read in the zone its source records in (an export imported
        # under the same source set it; the site's until one did)
        **local_fields(
            occurred_at=occurred,
            zone=source_zone(SOURCE) or settings.TIME_ZONE,
            precision=Incident.Precision.MINUTE,
        ),
        "time_precision": Incident.Precision.MINUTE,
        "latitude": latitude,
        "longitude": longitude,
        "location_text": data.get("location_text", ""),
        "borough_id": data.get("area_code") or _borough_at(latitude, longitude),
        "priority": data.get("priority", ""),
        "status": data["status"],
        "origin": Incident.Origin.PUBLIC_REPORT,
    }


def _borough_at(latitude: float | None, longitude: float | None) -> str | None:
    if latitude is None or longitude is None:
        return None
    return BoundaryIndex.for_kind(Area.Kind.BOROUGH).locate(lons=[longitude], lats=[latitude])[0]


def _jsonable(data: dict) -> dict:
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in data.items()}


def dispatch_latest_received() -> datetime | None:
    """When the dispatch feed last delivered an update (the received_at index answers it)."""
    return DispatchUpdate.objects.order_by("-received_at").values_list("received_at", flat=True).first()


def dispatch_recent(*, user, since: datetime) -> list[DispatchUpdate]:
    """Updates received after `since` for incidents in the user's areas, oldest first (what the tactical page polls).
    By the time they arrived, not the time the dispatch system stamped: a late or queued update still shows."""
    updates = DispatchUpdate.objects.filter(received_at__gt=since).select_related("incident")
    updates = restrict_to_areas(updates, user=user, field="incident__borough_id")
    return list(updates.order_by("received_at", "pk")[: conf.DISPATCH_RECENT_LIMIT])
