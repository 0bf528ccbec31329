"""Pre-charge bail limits: Police and Criminal Evidence Act 1984 ss47ZA-47ZM.

From 28 October 2022 (Police, Crime, Sentencing and Courts Act 2022 s45 and Sch 4):
- s47ZB: the applicable bail period is 3 months beginning with the bail start date, which is the day after
  the relevant day (the day of arrest);
- s47ZD: an officer of the rank of inspector or above may extend it to 6 months;
- s47ZE: a superintendent or above may extend it to 9 months;
- s47ZF/s47ZG: beyond that only a magistrates' court (to 12 months, then further).
For arrests before 28 October 2022 the Policing and Crime Act 2017 regime applies: 28 days, a superintendent
to 3 months (s47ZD as then in force), a magistrates' court beyond (s47ZF, s47ZG).
The decision whether to extend is due ahead of expiry (force setting, default 14 days).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from investigations.conf import PCSC_BAIL_COMMENCEMENT, RuleSettings
from investigations.rules.calendar import days_beginning_with, months_beginning_with
from investigations.rules.facts import ActionSpec, CaseFacts, SuspectFacts

RULE = "bail"
COURT = "court"
OFFICER_RANKS = ["sergeant", "inspector", "chief_inspector", "superintendent", "chief_superintendent", "chief_officer"]
COURT_STEP_MONTHS = 3


@dataclass(frozen=True)
class Stage:
    months: int = 0
    days: int = 0
    authority: str = ""  # who may extend bail to this stage
    statute: str = ""


NEW_REGIME = [
    Stage(months=3, statute="PACE s47ZB"),
    Stage(months=6, authority="inspector", statute="PACE s47ZD"),
    Stage(months=9, authority="superintendent", statute="PACE s47ZE"),
]
OLD_REGIME = [
    Stage(days=28, statute="PACE s47ZB (2017)"),
    Stage(months=3, authority="superintendent", statute="PACE s47ZD (2017)"),
]


def regime(arrested_on: date) -> list[Stage]:
    return NEW_REGIME if arrested_on >= PCSC_BAIL_COMMENCEMENT else OLD_REGIME


def stage(arrested_on: date, extensions: int) -> Stage:
    stages = regime(arrested_on)
    if extensions < len(stages):
        return stages[extensions]
    extra = (extensions - len(stages) + 1) * COURT_STEP_MONTHS
    last = stages[-1].months or 1  # the old regime's 28 days count as the first month for court steps
    return Stage(months=last + extra, authority=COURT, statute="PACE s47ZF/s47ZG")


def bail_start_date(arrested_on: date) -> date:
    """s47ZB(4): the day after the relevant day."""
    return arrested_on + timedelta(days=1)


def bail_ends_on(arrested_on: date, extensions: int = 0) -> date:
    """Last day of the bail period after `extensions` authorised extensions."""
    current = stage(arrested_on, extensions)
    start = bail_start_date(arrested_on)
    if current.days:
        return days_beginning_with(start, current.days)
    return months_beginning_with(start, current.months)


def authority_label(authority: str) -> str:
    if authority == COURT:
        return "a magistrates' court"
    article = "an" if authority[0] in "aeiou" else "a"
    return f"{article} {authority.replace('_', ' ')} or above"


def authority_suffices(given: str, required: str) -> bool:
    if required == COURT or given == COURT:
        return given == required
    return given in OFFICER_RANKS and OFFICER_RANKS.index(given) >= OFFICER_RANKS.index(required)


def extension_check(*, arrested_on: date, prior_extensions: int, authority: str) -> Stage:
    """The stage an extension reaches; ValidationError if `authority` may not authorise it."""
    target = stage(arrested_on, prior_extensions + 1)
    if not authority_suffices(authority, target.authority):
        period = f"{target.months} months" if target.months else f"{target.days} days"
        raise ValidationError(
            f"Extending pre-charge bail to {period} needs {authority_label(target.authority)} ({target.statute}); "
            f"it was recorded as authorised by {authority.replace('_', ' ') or 'nobody'}.",
            code="bail_authority",
        )
    return target


def bail_position(suspect: SuspectFacts) -> tuple[date, int] | None:
    """(arrest date, extensions so far) while the suspect is on pre-charge bail, else None."""
    arrested_on, extensions, on_bail = None, 0, False
    for event in suspect.events:
        if event.kind == "arrest":
            arrested_on, extensions, on_bail = event.on, 0, False
        elif event.kind == "bail_start":
            arrested_on, on_bail = arrested_on or event.on, True
        elif event.kind == "bail_extension":
            extensions += 1
        elif event.kind != "interview":
            on_bail = False
    return (arrested_on, extensions) if on_bail and arrested_on else None


def actions(case: CaseFacts, *, today: date, conf: RuleSettings) -> list[ActionSpec]:
    if not case.is_open:
        return []
    specs = []
    for suspect in case.suspects:
        position = bail_position(suspect)
        if position is None:
            continue
        arrested_on, extensions = position
        ends = bail_ends_on(arrested_on, extensions)
        needs = authority_label(stage(arrested_on, extensions + 1).authority)
        specs.append(
            ActionSpec(
                rule=RULE,
                key=f"{suspect.id}:{ends.isoformat()}",
                kind="bail",
                title=f"Bail for {suspect.name} ends {ends:%d %b %Y}: decide on extension (needs {needs})",
                due_on=ends - timedelta(days=conf.bail_decision_lead_days),
                warning_days=conf.bail_warning_days,
            )
        )
    return specs
