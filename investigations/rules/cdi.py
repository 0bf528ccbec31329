"""Crime data integrity: the Home Office Counting Rules for Recorded Crime and the National Crime Recording
Standard (NCRS).

- Recording: a report of a crime-bearing incident is recorded as a crime within 24 hours (HOCR General
  Rules, section A: "the crime should be recorded ... no later than 24 hours after the report"). The 24 hours
  are elapsed hours from the reported moment; the day it falls due is the force's local date of that moment.
- Cancellation: a recorded crime may be cancelled only with additional verifiable information (AVI) that
  determines no notifiable crime occurred (HOCR section C).
- Victims: one crime is recorded for each victim (HOCR General Rules, "Finished Incident" and victim rules).
- Detection: the outcome (Home Office outcome type) must agree with the status: an open crime has no outcome,
  a closed one has, and outcome 1 (charge/summons) needs a recorded charge.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from investigations.conf import RuleSettings
from investigations.rules.facts import ActionSpec, CaseFacts, local_date

RULE = "cdi"
CHARGE_OUTCOME = "1"


@dataclass(frozen=True)
class Failure:
    check: str
    detail: str
    due_on: date | None  # None: a failure to report, not one that can still be put right


def _correct_by(day: date | None, conf: RuleSettings) -> date | None:
    return day + timedelta(days=conf.cdi_correction_days) if day else None


def recording_failures(case: CaseFacts, conf: RuleSettings) -> list[Failure]:
    deadline = case.reported_at + timedelta(hours=conf.cdi_recording_hours)
    if case.recorded_at is None and case.status != "cancelled":
        detail = "Not recorded as a crime within 24 hours of the report"
        return [Failure("not_recorded", detail, local_date(deadline))]
    if case.recorded_at and case.recorded_at > deadline:
        return [Failure("late_recording", "Recorded as a crime more than 24 hours after the report", None)]
    return []


def cancellation_failures(case: CaseFacts, conf: RuleSettings) -> list[Failure]:
    if case.status == "cancelled" and not case.cancellation_avi.strip():
        due = _correct_by(case.cancelled_date or case.reported_on, conf)
        return [Failure("cancellation_without_avi", "Cancelled without additional verifiable information", due)]
    return []


def victim_failures(case: CaseFacts, conf: RuleSettings) -> list[Failure]:
    if len(case.victims) > 1:
        recorded = case.recorded_on or case.reported_on
        detail = f"{len(case.victims)} victims recorded as one crime: record one crime per victim"
        return [Failure("multiple_victims", detail, _correct_by(recorded, conf))]
    return []


def detection_failures(case: CaseFacts, conf: RuleSettings) -> list[Failure]:
    closed = case.status == "closed"
    if case.is_open and case.outcome:
        detail = f"Outcome {case.outcome} recorded but the crime is still open"
    elif closed and not case.outcome:
        detail = "Closed without an outcome"
    elif case.outcome == CHARGE_OUTCOME and not case.charged:
        detail = "Outcome 1 (charge/summons) but no charge is recorded"
    else:
        return []
    anchor = case.outcome_date or case.recorded_on or case.reported_on
    return [Failure("detection_mismatch", detail, _correct_by(anchor, conf))]


CHECKS = [recording_failures, cancellation_failures, victim_failures, detection_failures]


def failures(case: CaseFacts, conf: RuleSettings) -> list[Failure]:
    return [failure for check in CHECKS for failure in check(case, conf)]


def actions(case: CaseFacts, *, today: date, conf: RuleSettings) -> list[ActionSpec]:
    return [
        ActionSpec(
            rule=RULE,
            key=f"{case.id}:{failure.check}",
            kind="cdi",
            title=f"Crime data integrity: {failure.detail}",
            due_on=failure.due_on,
            warning_days=conf.cdi_warning_days,
        )
        for failure in failures(case, conf)
        if failure.due_on is not None
    ]
