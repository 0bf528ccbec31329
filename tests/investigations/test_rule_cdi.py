"""Crime data integrity: Home Office Counting Rules for Recorded Crime and the National Crime Recording Standard."""

from datetime import UTC, date, datetime, timedelta

import pytest

from investigations.conf import RuleSettings
from investigations.rules import cdi, reviews
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


def _utc(*parts: int) -> datetime:
    """An instant as the database hands it back: aware, in UTC."""
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("reported_utc", "due", "why"),
    [
        # 00:30 BST on 1 July 2025: due 00:30 BST 2 July (UTC would say 1 July)
        (_utc(2025, 6, 30, 23, 30), date(2025, 7, 2), "summer time"),
        # 23:30 GMT on 29 March 2025, the night before the clocks go forward: due 00:30 BST on 31 March
        (_utc(2025, 3, 29, 23, 30), date(2025, 3, 31), "spring clock change"),
        # 00:30 BST on 25 October 2025: due 24 hours later, 00:30 BST on 26 October, just before the clocks go back
        (_utc(2025, 10, 24, 23, 30), date(2025, 10, 26), "autumn clock change"),
        # 00:30 BST on 26 October 2025, the 25-hour day: 24 elapsed hours end at 23:30 GMT the same day
        (_utc(2025, 10, 25, 23, 30), date(2025, 10, 26), "the 25-hour day"),
        # a winter report: GMT is UTC
        (_utc(2025, 1, 10, 23, 30), date(2025, 1, 11), "winter"),
    ],
)
def test_recording_deadline_falls_on_the_forces_local_date(reported_utc, due, why, settings):
    """HOCR: 24 hours from the report, the day taken in the force's time zone (settings.TIME_ZONE)."""
    settings.TIME_ZONE = "Europe/London"
    case = _case(reported_at=reported_utc, recorded_at=None, offence_date=reported_utc.date())
    (spec,) = cdi.actions(case, today=reported_utc.date(), conf=CONF)
    assert spec.due_on == due, why


def test_first_review_counts_from_the_local_recording_date(settings):
    """Recorded at 00:30 BST on 1 July (23:30 UTC on 30 June), unallocated: first review 7 days after 1 July."""
    settings.TIME_ZONE = "Europe/London"
    case = _case(reported_at=_utc(2025, 6, 30, 22), recorded_at=_utc(2025, 6, 30, 23, 30), allocated_date=None)
    (spec,) = reviews.actions(case, today=date(2025, 7, 1), conf=CONF)
    assert spec.due_on == date(2025, 7, 8)
