"""Pre-charge bail: PACE 1984 ss47ZA-47ZG as amended by the Police, Crime, Sentencing and Courts Act 2022
(from 28 October 2022), and the Policing and Crime Act 2017 regime for earlier arrests."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from investigations.conf import RuleSettings
from investigations.models import CustodyEvent
from investigations.rules import bail
from investigations.rules.facts import CaseFacts, EventFacts, SuspectFacts
from investigations.services import custody_event_record
from tests.investigations.factories import CustodyEventFactory, SuspectFactory, aware


def test_arrest_on_28_october_2022_gets_three_months_beginning_the_day_after():
    """s47ZB(1)(b), (4): 3 months beginning with the bail start date, the day after the day of arrest."""
    assert bail.bail_start_date(date(2022, 10, 28)) == date(2022, 10, 29)
    assert bail.bail_ends_on(date(2022, 10, 28)) == date(2023, 1, 28)


def test_arrest_on_27_october_2022_keeps_the_old_28_day_limit():
    """Arrests before commencement (28 October 2022) stay under the 2017 regime: 28 days."""
    assert bail.bail_ends_on(date(2022, 10, 27)) == date(2022, 11, 24)


def test_month_end_with_no_corresponding_day_runs_to_the_end_of_february_in_a_leap_year():
    """Arrest 29 Nov 2023: bail starts 30 Nov; there is no 30 February, so the period ends 29 Feb 2024."""
    assert bail.bail_ends_on(date(2023, 11, 29)) == date(2024, 2, 29)
    assert bail.bail_ends_on(date(2022, 11, 29)) == date(2023, 2, 28)


def test_extensions_step_to_six_nine_then_twelve_months():
    """s47ZD (inspector, 6 months), s47ZE (superintendent, 9 months), s47ZF (court, 12 months)."""
    arrested = date(2024, 1, 10)
    assert [bail.bail_ends_on(arrested, n) for n in range(4)] == [
        date(2024, 4, 10),
        date(2024, 7, 10),
        date(2024, 10, 10),
        date(2025, 1, 10),
    ]


@pytest.mark.parametrize(
    ("prior", "authority", "allowed"),
    [
        (0, "sergeant", False),
        (0, "inspector", True),
        (0, "chief_superintendent", True),
        (1, "inspector", False),
        (1, "chief_inspector", False),
        (1, "superintendent", True),
        (2, "chief_officer", False),
        (2, "court", True),
    ],
)
def test_only_the_required_rank_may_extend_under_the_2022_regime(prior, authority, allowed):
    """s47ZD inspector or above; s47ZE superintendent or above; s47ZF/ZG magistrates' court only."""
    check = lambda: bail.extension_check(arrested_on=date(2024, 1, 10), prior_extensions=prior, authority=authority)  # noqa: E731
    if allowed:
        check()
    else:
        with pytest.raises(ValidationError):
            check()


def test_old_regime_extension_to_three_months_needs_a_superintendent():
    """PACE s47ZD as in force before 28 October 2022: a superintendent extends 28 days to 3 months."""
    with pytest.raises(ValidationError, match="superintendent or above"):
        bail.extension_check(arrested_on=date(2022, 10, 27), prior_extensions=0, authority="inspector")
    assert bail.bail_ends_on(date(2022, 10, 27), 1) == date(2023, 1, 27)


def _case(events: list[EventFacts]) -> CaseFacts:
    day = events[0].on
    suspect = SuspectFacts(1, "Sam Doe", events)
    return CaseFacts(1, "X/1", "theft", "either_way", False, day, aware(day), aware(day), "open", suspects=[suspect])


def test_extension_decision_is_due_fourteen_days_before_expiry():
    """The force acts ahead of expiry (default 14 days) so there is time to find the authorising officer."""
    case = _case([EventFacts(1, "arrest", date(2024, 1, 10)), EventFacts(2, "bail_start", date(2024, 1, 11))])
    (spec,) = bail.actions(case, today=date(2024, 2, 1), conf=RuleSettings())
    assert spec.due_on == date(2024, 3, 27)
    assert "inspector or above" in spec.title


def test_bail_lead_time_is_a_force_setting(monkeypatch):
    monkeypatch.setenv("INV_BAIL_DECISION_LEAD_DAYS", "7")
    case = _case([EventFacts(1, "arrest", date(2024, 1, 10)), EventFacts(2, "bail_start", date(2024, 1, 11))])
    (spec,) = bail.actions(case, today=date(2024, 2, 1), conf=RuleSettings())
    assert spec.due_on == date(2024, 4, 3)


def test_no_bail_action_once_released_under_investigation():
    events = [EventFacts(1, "arrest", date(2024, 1, 10)), EventFacts(2, "bail_start", date(2024, 1, 11))]
    case = _case([*events, EventFacts(3, "rui", date(2024, 2, 1))])
    assert bail.actions(case, today=date(2024, 2, 2), conf=RuleSettings()) == []


@pytest.mark.django_db
def test_recording_an_extension_by_a_sergeant_is_refused_with_a_clear_message(org):
    """PACE s47ZD: a sergeant cannot extend pre-charge bail."""
    suspect = SuspectFactory(investigation__team=org["westminster-team-a"])
    CustodyEventFactory(suspect=suspect, kind=CustodyEvent.Kind.ARREST, occurred_on=date(2024, 1, 10))
    CustodyEventFactory(suspect=suspect, kind=CustodyEvent.Kind.BAIL_START, occurred_on=date(2024, 1, 11))
    with pytest.raises(ValidationError, match="needs an inspector or above"):
        custody_event_record(
            suspect=suspect, kind="bail_extension", occurred_on=date(2024, 4, 1), authorising_rank="sergeant"
        )
    assert not suspect.custody_events.filter(kind="bail_extension").exists()
    custody_event_record(
        suspect=suspect, kind="bail_extension", occurred_on=date(2024, 4, 1), authorising_rank="inspector"
    )
    assert suspect.custody_events.filter(kind="bail_extension").count() == 1
