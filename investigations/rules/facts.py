"""Plain snapshots of an investigation that the rules read: no ORM, so a recompute loads the force in a few
set-based queries and the rules stay pure functions of (facts, today, settings)."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime


@dataclass(frozen=True)
class EventFacts:
    id: int
    kind: str
    on: date
    authorising_rank: str = ""


@dataclass
class SuspectFacts:
    id: int
    name: str
    events: list[EventFacts] = field(default_factory=list)

    def status_event(self) -> EventFacts | None:
        """The latest event that sets where the suspect stands (bail, RUI, charged, released, wanted)."""
        standing = [e for e in self.events if e.kind != "interview"]
        return standing[-1] if standing else None


@dataclass
class VictimFacts:
    id: int
    name: str
    enhanced_rights: bool = False
    statement_received_on: date | None = None
    contacts: list[date] = field(default_factory=list)


@dataclass
class CaseFacts:
    id: int
    crime_reference: str
    offence: str
    offence_class: str
    domestic_abuse: bool
    offence_date: date
    reported_at: datetime
    recorded_at: datetime | None
    status: str
    outcome: str = ""
    outcome_date: date | None = None
    cancelled_date: date | None = None
    cancellation_avi: str = ""
    allocated_date: date | None = None
    suspects: list[SuspectFacts] = field(default_factory=list)
    victims: list[VictimFacts] = field(default_factory=list)
    reviews: list[date] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def charged(self) -> bool:
        return any(e.kind == "charge" for s in self.suspects for e in s.events)

    def as_of(self, day: date) -> "CaseFacts | None":
        """What was known at the end of `day` (for rebuilding past trend points); None if not yet reported."""
        if self.reported_at.date() > day:
            return None
        closed_on = self.outcome_date or self.cancelled_date
        reopened = self.status != "open" and closed_on is not None and closed_on > day
        return replace(
            self,
            status="open" if reopened else self.status,
            outcome="" if reopened else self.outcome,
            recorded_at=self.recorded_at if self.recorded_at and self.recorded_at.date() <= day else None,
            suspects=[SuspectFacts(s.id, s.name, [e for e in s.events if e.on <= day]) for s in self.suspects],
            victims=[replace(v, contacts=[c for c in v.contacts if c <= day]) for v in self.victims],
            reviews=[r for r in self.reviews if r <= day],
        )


@dataclass(frozen=True)
class ActionSpec:
    rule: str
    key: str
    kind: str
    title: str
    due_on: date
    warning_days: int
