"""A call's lifecycle: received (Incident.occurred_at), dispatched, en route, on scene, cleared.

Imports and the live dispatch feed both refuse a call whose times run backwards (cleared before on scene, on scene
before received), with a reason naming the two times: such a call would give a negative response time.
"""

from __future__ import annotations

from datetime import datetime

# Incident field -> words, in lifecycle order (received is occurred_at)
STEPS = {
    "occurred_at": "received",
    "dispatched_at": "dispatched",
    "en_route_at": "en route",
    "on_scene_at": "on scene",
    "cleared_at": "cleared",
}
LIFECYCLE_FIELDS = tuple(STEPS)[1:]
# The dispatch feed's statuses that set a lifecycle time (DispatchUpdate.Status values).
STATUS_FIELDS = {
    "dispatched": "dispatched_at",
    "en_route": "en_route_at",
    "on_scene": "on_scene_at",
    "resolved": "cleared_at",
}


def lifecycle_problem(times: dict[str, datetime | None]) -> str | None:
    """Why these times cannot be one call's (a later step before an earlier one), or None. Missing steps are skipped:
    a call may be cleared without anyone attending."""
    known = [(field, times.get(field)) for field in STEPS if times.get(field) is not None]
    for (earlier, first), (later, second) in zip(known, known[1:], strict=False):
        if second < first:
            return (
                f"{STEPS[later]} ({second.isoformat()}) before {STEPS[earlier]} ({first.isoformat()}): "
                "a call's times must run received, dispatched, en route, on scene, cleared"
            )
    return None


NO_RESPONSE_TIMES = "this source records no response times"


def lifecycle_described(record) -> str:
    """A call's lifecycle in words, minutes after received ('dispatched +3, on scene +14'), for import previews."""
    received = record.occurred_at
    parts = [
        f"{STEPS[name]} +{(getattr(record, name) - received).total_seconds() / 60:.0f}"
        for name in LIFECYCLE_FIELDS
        if getattr(record, name) is not None
    ]
    return f"{', '.join(parts)} (minutes after received)" if parts else NO_RESPONSE_TIMES
