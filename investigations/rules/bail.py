"""Pre-charge bail limits: Police and Criminal Evidence Act 1984 ss47ZA-47ZM.

From 28 October 2022 (Police, Crime, Sentencing and Courts Act 2022 s45 and Sch 4), standard cases:
- s47ZB(1)(b): the applicable bail period is 3 months beginning with the bail start date, which is the day after
  the relevant day, the day of arrest (s47ZB(4));
- s47ZD: an officer of the rank of inspector or above may extend it to 6 months beginning with the bail start date;
- s47ZDA: a superintendent or above may extend it to 9 months;
- s47ZE: in a case the Director of Public Prosecutions designates exceptionally complex, a qualifying police officer
  (commander or assistant chief constable or above: here a chief officer) may extend it to 12 months;
- s47ZF: a magistrates' court may extend it to 12 months after s47ZDA, 18 months after s47ZE (s47ZF(4)); in the cases
  of s47ZF(7), to 18 and 24 months (s47ZF(6));
- s47ZG: further court extensions run to the end of 3 months (6 in s47ZF(7) cases) beginning with the day after the
  day on which the period would otherwise end, not from the bail start date.
Every extension must be decided before the current period has ended (s47ZD(1)(b), s47ZDA(1)(b), s47ZE(8); for the
court, the application: s47ZF(2), s47ZG; a court extension is recorded on the day of the application, which
s47ZJ keeps the period alive for).
For arrests before 28 October 2022 the Policing and Crime Act 2017 regime applies: 28 days (s47ZB(1)(b) as then in
force), a superintendent to 3 months (s47ZD), a court to 6 months (9 in s47ZF(7) cases), then s47ZG as above.
The 2017 regime's designated-case route (s47ZE as then in force) is not modelled.
A re-arrest under s46A (failure to answer bail) keeps the original arrest's bail start date, extensions and regime
(PCSC Act 2022 s45 commencement: the original arrest decides).
The decision whether to extend is due ahead of expiry (force setting, default 14 days).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from investigations.conf import PCSC_BAIL_COMMENCEMENT, RuleSettings
from investigations.rules.calendar import days_beginning_with, months_beginning_with
from investigations.rules.facts import ActionSpec, CaseFacts, SuspectFacts

RULE = "bail"
COURT = "court"
CHIEF_OFFICER = "chief_officer"
OFFICER_RANKS = ["sergeant", "inspector", "chief_inspector", "superintendent", "chief_superintendent", CHIEF_OFFICER]


@dataclass(frozen=True)
class Step:
    """One way the applicable bail period can end: `months` beginning with the bail start date, or (s47ZG)
    `months` beginning with the day after the current end."""

    section: str
    months: int = 0
    days: int = 0
    authority: str = ""  # who may authorise this step
    from_current_end: bool = False
    deadline: str = ""  # the provision requiring the decision before the current period ends

    def ends_on(self, *, bail_start: date, current_end: date | None = None) -> date:
        if self.days:
            return days_beginning_with(bail_start, self.days)
        if self.from_current_end:
            return months_beginning_with(current_end + timedelta(days=1), self.months)
        return months_beginning_with(bail_start, self.months)


@dataclass(frozen=True)
class BailCase:
    """What the case adds to a suspect's history: the DPP's designation and the court's s47ZF(7) finding."""

    designated: bool = False
    s47zf7: bool = False


STANDARD = BailCase()
INITIAL_2022 = Step("PACE s47ZB(1)(b)", months=3)
INITIAL_2017 = Step("PACE s47ZB(1)(b) (2017)", days=28)


def regime_2022(arrested_on: date) -> bool:
    return arrested_on >= PCSC_BAIL_COMMENCEMENT


def court_step(*, previous: str, case: BailCase, new_regime: bool) -> Step:
    """s47ZF after an officer's extension; s47ZG after a court's."""
    if previous.startswith(("PACE s47ZF", "PACE s47ZG")):
        months = 6 if case.s47zf7 else 3
        return Step("PACE s47ZG", months=months, authority=COURT, from_current_end=True, deadline="PACE s47ZG")
    if new_regime:
        months = (18 if previous.startswith("PACE s47ZE") else 12) + (6 if case.s47zf7 else 0)
        section = "PACE s47ZF(6)" if case.s47zf7 else "PACE s47ZF(4)"
    else:
        months, section = (9, "PACE s47ZF(6) (2017)") if case.s47zf7 else (6, "PACE s47ZF(4) (2017)")
    return Step(section, months=months, authority=COURT, deadline="PACE s47ZF(2)")


def next_step(*, arrested_on: date, taken: list[str], authority: str, case: BailCase) -> Step:
    """The extension open after the steps `taken` (sections of earlier extensions), for this `authority`."""
    new_regime = regime_2022(arrested_on)
    officer_steps = (
        [
            Step("PACE s47ZD", months=6, authority="inspector", deadline="PACE s47ZD(1)(b)"),
            Step("PACE s47ZDA", months=9, authority="superintendent", deadline="PACE s47ZDA(1)(b)"),
        ]
        if new_regime
        else [Step("PACE s47ZD (2017)", months=3, authority="superintendent", deadline="PACE s47ZD(1)(b) (2017)")]
    )
    if len(taken) < len(officer_steps):
        return officer_steps[len(taken)]
    designated_open = new_regime and case.designated and len(taken) == len(officer_steps)
    if designated_open and authority != COURT:
        return Step("PACE s47ZE", months=12, authority=CHIEF_OFFICER, deadline="PACE s47ZE(8)")
    return court_step(previous=taken[-1], case=case, new_regime=new_regime)


@dataclass
class Position:
    """Where one suspect's pre-charge bail stands after walking their custody history."""

    arrested_on: date | None = None
    bail_start: date | None = None
    ends_on: date | None = None
    taken: list[str] = field(default_factory=list)
    on_bail: bool = False

    def start_clock(self, arrested_on: date) -> None:
        self.arrested_on, self.bail_start, self.ends_on, self.taken = arrested_on, None, None, []

    def bail(self, on: date) -> None:
        if self.arrested_on is None:  # bail with no arrest on record: the day before counts as the arrest
            self.start_clock(on - timedelta(days=1))
        if self.bail_start is None:
            self.bail_start = self.arrested_on + timedelta(days=1)  # s47ZB(4): the day after the relevant day
            initial = INITIAL_2022 if regime_2022(self.arrested_on) else INITIAL_2017
            self.ends_on = initial.ends_on(bail_start=self.bail_start)
        self.on_bail = True

    def extend(self, step: Step) -> None:
        self.ends_on = step.ends_on(bail_start=self.bail_start, current_end=self.ends_on)
        self.taken.append(step.section)


def position_of(suspect: SuspectFacts, case: BailCase, *, until: date | None = None) -> Position:
    """Walk the suspect's custody events (to `until`, inclusive). An arrest starts a new clock unless it is an s46A
    re-arrest, which keeps the original one."""
    position = Position()
    for event in suspect.events:
        if until is not None and event.on > until:
            break
        if event.kind == "arrest":
            if not (event.s46a and position.arrested_on):
                position.start_clock(event.on)
            position.on_bail = False
        elif event.kind == "bail_start":
            position.bail(event.on)
        elif event.kind == "bail_extension" and position.bail_start:
            rank = event.authorising_rank
            position.extend(
                next_step(arrested_on=position.arrested_on, taken=position.taken, authority=rank, case=case)
            )
        elif event.kind not in {"interview", "bail_extension"}:
            position.on_bail = False
    return position


def bail_start_date(arrested_on: date) -> date:
    """s47ZB(4): the day after the relevant day."""
    return arrested_on + timedelta(days=1)


def bail_ends_on(arrested_on: date, extensions: int = 0, case: BailCase = STANDARD) -> date:
    """Last day of the bail period of a suspect bailed on arrest, after `extensions` extensions each taking the
    next step open (the s47ZE route in a designated case, else the court's)."""
    position = Position()
    position.start_clock(arrested_on)
    position.bail(bail_start_date(arrested_on))
    for _ in range(extensions):
        position.extend(next_step(arrested_on=arrested_on, taken=position.taken, authority="", case=case))
    return position.ends_on


def period_text(step: Step) -> str:
    return f"{step.days} days" if step.days else f"{step.months} months"


def authority_label(authority: str) -> str:
    if authority == COURT:
        return "a magistrates' court"
    if authority == CHIEF_OFFICER:
        return "a chief officer (commander or assistant chief constable) or above"
    article = "an" if authority[0] in "aeiou" else "a"
    return f"{article} {authority.replace('_', ' ')} or above"


def authority_suffices(given: str, required: str) -> bool:
    if required == COURT or given == COURT:
        return given == required
    return given in OFFICER_RANKS and OFFICER_RANKS.index(given) >= OFFICER_RANKS.index(required)


def extension_check(*, position: Position, authority: str, decided_on: date, case: BailCase) -> Step:
    """The step an extension decided on `decided_on` by `authority` takes; ValidationError if the law refuses it."""
    if not position.on_bail or position.ends_on is None:
        raise ValidationError(
            "This suspect is not on pre-charge bail, so there is no bail to extend.", code="bail_none"
        )
    step = next_step(arrested_on=position.arrested_on, taken=position.taken, authority=authority, case=case)
    if decided_on > position.ends_on:
        raise ValidationError(
            f"Pre-charge bail ended on {position.ends_on:%d %b %Y}: an extension decided on {decided_on:%d %b %Y} "
            f"comes too late ({step.deadline} requires the decision before the current period ends).",
            code="bail_ended",
        )
    if not authority_suffices(authority, step.authority):
        raise ValidationError(refusal(step, authority, position), code="bail_authority")
    return step


def refusal(step: Step, authority: str, position: Position) -> str:
    target = step.ends_on(bail_start=position.bail_start, current_end=position.ends_on)
    given = authority.replace("_", " ") or "nobody"
    text = (
        f"Extending pre-charge bail to {target:%d %b %Y} ({period_text(step)}) needs "
        f"{authority_label(step.authority)} ({step.section}); it was recorded as authorised by {given}."
    )
    if step.authority == COURT and authority == CHIEF_OFFICER:
        text += " A chief officer may extend to 12 months only in a case the DPP has designated (PACE s47ZE)."
    return text


def actions(case: CaseFacts, *, today: date, conf: RuleSettings) -> list[ActionSpec]:
    if not case.is_open:
        return []
    bail_case = BailCase(designated=case.dpp_designated, s47zf7=case.s47zf7_case)
    specs = []
    for suspect in case.suspects:
        position = position_of(suspect, bail_case)
        if not position.on_bail:
            continue
        ends = position.ends_on
        step = next_step(arrested_on=position.arrested_on, taken=position.taken, authority="", case=bail_case)
        specs.append(
            ActionSpec(
                rule=RULE,
                key=f"{suspect.id}:{ends.isoformat()}",
                kind="bail",
                title=f"Bail for {suspect.name} ends {ends:%d %b %Y}: decide on extension "
                f"(needs {authority_label(step.authority)}, {step.section}, before bail ends)",
                due_on=ends - timedelta(days=conf.bail_decision_lead_days),
                warning_days=conf.bail_warning_days,
            )
        )
    return specs
