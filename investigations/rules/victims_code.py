"""Code of Practice for Victims of Crime in England and Wales (2020), Right 6: the police tell the victim
within 5 working days when a suspect is arrested, interviewed under caution, charged, released on bail or
under investigation, or released without charge; within 1 working day for victims entitled to enhanced rights
(victims of the most serious crime, persistently targeted, or vulnerable or intimidated). Working days skip
weekends and England and Wales bank holidays."""

from datetime import date

from investigations.conf import RuleSettings
from investigations.rules.calendar import add_working_days
from investigations.rules.facts import ActionSpec, CaseFacts, EventFacts, VictimFacts

RULE = "victims_code"
NOTIFIABLE = {
    "arrest": "arrest",
    "interview": "interview",
    "bail_start": "bail",
    "rui": "release under investigation",
    "charge": "charge",
    "release": "release without charge",
}


def contact_due(event_on: date, *, enhanced: bool, conf: RuleSettings) -> date:
    days = conf.victim_contact_days_enhanced if enhanced else conf.victim_contact_days
    return add_working_days(event_on, days, conf.holiday_subdivision)


def told(victim: VictimFacts, event: EventFacts) -> bool:
    return any(contact >= event.on for contact in victim.contacts)


def actions(case: CaseFacts, *, today: date, conf: RuleSettings) -> list[ActionSpec]:
    events = [(s, e) for s in case.suspects for e in s.events if e.kind in NOTIFIABLE]
    return [
        ActionSpec(
            rule=RULE,
            key=f"{victim.id}:{event.id}",
            kind="victim_contact",
            title=f"Tell {victim.name} of the {NOTIFIABLE[event.kind]} of {suspect.name} on {event.on:%d %b %Y}"
            + (" (enhanced rights: 1 working day)" if victim.enhanced_rights else ""),
            due_on=contact_due(event.on, enhanced=victim.enhanced_rights, conf=conf),
            warning_days=conf.victim_warning_days,
        )
        for victim in case.victims
        for suspect, event in events
        if not told(victim, event)
    ]
