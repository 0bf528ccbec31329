"""Statutory time limits for starting a prosecution.

- Summary-only offences: an information must be laid within six months from the time the offence was
  committed (Magistrates' Courts Act 1980 s127(1)). "From" excludes the day of the offence, so the last day
  is the corresponding date six months on, or that month's last day (31 August -> 28/29 February).
- Common assault or battery that amounts to domestic abuse: proceedings may be commenced within six months
  from the first date on which the complainant's witness statement (or video-recorded interview) was provided
  to the police, and within two years from the date of the offence (Criminal Justice Act 1988 s39A, inserted
  by the Police, Crime, Sentencing and Courts Act 2022 s49, for offences from 28 June 2022). s39A has effect
  despite s127, so the later of the two limits applies.
- Either-way and indictable offences: no limit.
"""

from datetime import date

from investigations.conf import DA_TIME_LIMIT_COMMENCEMENT, RuleSettings
from investigations.rules.calendar import months_from
from investigations.rules.facts import ActionSpec, CaseFacts

RULE = "time_limit"


def s39a_applies(case: CaseFacts, conf: RuleSettings) -> bool:
    return (
        case.domestic_abuse
        and case.offence in conf.da_extended_offences
        and case.offence_date >= DA_TIME_LIMIT_COMMENCEMENT
    )


def last_day_to_charge(case: CaseFacts, conf: RuleSettings) -> tuple[date, str] | None:
    """The last day to lay an information and the provision that sets it; None if no limit applies."""
    if case.offence_class != "summary":
        return None
    s127 = months_from(case.offence_date, 6)
    statements = [v.statement_received_on for v in case.victims if v.statement_received_on]
    if not (s39a_applies(case, conf) and statements):
        return s127, "MCA 1980 s127"
    s39a = min(months_from(min(statements), 6), months_from(case.offence_date, 24))
    return (s39a, "CJA 1988 s39A") if s39a > s127 else (s127, "MCA 1980 s127")


def actions(case: CaseFacts, *, today: date, conf: RuleSettings) -> list[ActionSpec]:
    if not case.is_open or case.decided:  # closed only by a charge or a recorded decision, never by a note
        return []
    limit = last_day_to_charge(case, conf)
    if limit is None:
        return []
    last_day, provision = limit
    pending = " (s39A may extend it once the victim's statement is received)" if s39a_applies(case, conf) else ""
    return [
        ActionSpec(
            rule=RULE,
            key=f"{case.id}:{last_day.isoformat()}",
            kind="time_limit",
            title=f"Charge or lay an information by {last_day:%d %b %Y} ({provision}){pending}",
            due_on=last_day,
            warning_days=conf.time_limit_warning_days,
        )
    ]
