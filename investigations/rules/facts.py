"""Plain snapshots of an investigation that the rules read: no ORM, so a recompute loads the force in a few
set-based queries and the rules stay pure functions of (facts, today, settings)."""

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.utils import timezone

DECISIONS = {"charge", "release", "out_of_court_disposal"}


def local_date(moment: datetime) -> date:
    """The force's date (settings.TIME_ZONE) of a moment: the database hands back UTC, and a report at 00:30 BST
    on 1 July is on 1 July, not 30 June."""
    return timezone.localtime(moment).date()


@dataclass(frozen=True)
class EventFacts:
    id: int
    kind: str
    on: date
    authorising_rank: str = ""
    s46a: bool = False  # an arrest under PACE s46A (failure to answer bail): the original clock runs on


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
    dpp_designated: bool = False
    s47zf7_case: bool = False
    suspects: list[SuspectFacts] = field(default_factory=list)
    victims: list[VictimFacts] = field(default_factory=list)
    reviews: list[date] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def standing_as(self, kind: str) -> list[tuple[SuspectFacts, EventFacts]]:
        """Suspects whose latest standing event is of `kind` (on RUI, wanted...), with that event."""
        pairs = [(suspect, suspect.status_event()) for suspect in self.suspects]
        return [(suspect, event) for suspect, event in pairs if event is not None and event.kind == kind]

    @property
    def charged(self) -> bool:
        return any(e.kind == "charge" for s in self.suspects for e in s.events)

    @property
    def decided(self) -> bool:
        """A charge or a charging decision (no further action, out-of-court disposal) is on record, with its date."""
        return any(e.kind in DECISIONS for s in self.suspects for e in s.events)

    @property
    def reported_on(self) -> date:
        return local_date(self.reported_at)

    @property
    def recorded_on(self) -> date | None:
        return local_date(self.recorded_at) if self.recorded_at else None

    def as_of(self, day: date) -> "CaseFacts | None":
        """What was known at the end of `day` (for rebuilding past trend points); None if not yet reported."""
        if self.reported_on > day:
            return None
        closed_on = self.outcome_date or self.cancelled_date
        reopened = self.status != "open" and closed_on is not None and closed_on > day
        return replace(
            self,
            status="open" if reopened else self.status,
            outcome="" if reopened else self.outcome,
            recorded_at=self.recorded_at if self.recorded_on and self.recorded_on <= day else None,
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
