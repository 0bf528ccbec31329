"""Crime data integrity: Home Office Counting Rules for Recorded Crime and the National Crime Recording Standard."""

from datetime import date, timedelta

from investigations.conf import RuleSettings
from investigations.rules import cdi
from investigations.rules.facts import CaseFacts, EventFacts, SuspectFacts, VictimFacts
from tests.investigations.factories import aware

DAY = date(2025, 5, 1)
CONF = RuleSettings()


def _case(**fields) -> CaseFacts:
    base = dict(
        id=1, crime_reference="X/1", offence="theft", offence_class="either_way", domestic_abuse=False,
        offence_date=DAY, reported_at=aware(DAY, 9), recorded_at=aware(DAY, 12), status="open",
    )  # fmt: skip
    return CaseFacts(**{**base, **fields})


def _checks(case: CaseFacts) -> list[str]:
    return [failure.check for failure in cdi.failures(case, CONF)]


def test_a_clean_case_passes():
    assert _checks(_case()) == []


def test_unrecorded_report_is_due_for_recording_24_hours_after_the_report():
    """HOCR / NCRS: record within 24 hours of the report."""
    (spec,) = cdi.actions(_case(recorded_at=None), today=DAY, conf=CONF)
    assert spec.due_on == DAY + timedelta(days=1)


def test_late_recording_is_reported_but_cannot_be_put_right():
    case = _case(recorded_at=aware(DAY, 9) + timedelta(hours=30))
    assert _checks(case) == ["late_recording"]
    assert cdi.actions(case, today=DAY, conf=CONF) == []


def test_cancellation_needs_additional_verifiable_information():
    """HOCR section C: a cancellation needs AVI."""
    assert _checks(_case(status="cancelled", cancelled_date=DAY)) == ["cancellation_without_avi"]
    assert _checks(_case(status="cancelled", cancelled_date=DAY, cancellation_avi="Property found")) == []


def test_several_victims_on_one_crime_are_flagged():
    """HOCR General Rules: one crime per victim."""
    case = _case(victims=[VictimFacts(1, "A"), VictimFacts(2, "B")])
    assert _checks(case) == ["multiple_victims"]


def test_detection_must_match_status():
    assert _checks(_case(outcome="3", outcome_date=DAY)) == ["detection_mismatch"]
    assert _checks(_case(status="closed")) == ["detection_mismatch"]
    assert _checks(_case(status="closed", outcome="1", outcome_date=DAY)) == ["detection_mismatch"]
    charged = [SuspectFacts(1, "S", [EventFacts(1, "charge", DAY)])]
    assert _checks(_case(status="closed", outcome="1", outcome_date=DAY, suspects=charged)) == []
