"""Pre-charge bail: PACE 1984 ss47ZA-47ZG as amended by the Police, Crime, Sentencing and Courts Act 2022
(from 28 October 2022), and the Policing and Crime Act 2017 regime for earlier arrests."""

from datetime import date, timedelta

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
    """s47ZD (inspector, 6 months), s47ZDA (superintendent, 9 months), s47ZF(4)(a) (court, 12 months)."""
    arrested = date(2024, 1, 10)
    assert [bail.bail_ends_on(arrested, n) for n in range(4)] == [
        date(2024, 4, 10),
        date(2024, 7, 10),
        date(2024, 10, 10),
        date(2025, 1, 10),
    ]


def test_further_court_extension_runs_from_the_day_after_the_current_end():
    """s47ZG: 3 months beginning with the day after the day the period would otherwise end. Bail started
    29 Feb 2024: the 12-month court extension ends 28 Feb 2025; the next runs from 1 March to 31 May 2025
    (counting 15 months from the bail start would give 28 May), then 1 June to 31 August."""
    arrested = date(2024, 2, 28)
    assert bail.bail_start_date(arrested) == date(2024, 2, 29)
    assert [bail.bail_ends_on(arrested, n) for n in range(6)] == [
        date(2024, 5, 28),
        date(2024, 8, 28),
        date(2024, 11, 28),
        date(2025, 2, 28),
        date(2025, 5, 31),
        date(2025, 8, 31),
    ]


def _position(*events: EventFacts, case: bail.BailCase = bail.STANDARD, until=None) -> bail.Position:
    return bail.position_of(SuspectFacts(1, "Sam", list(events)), case, until=until)


def _bailed(arrested: date, *extensions: tuple[date, str]) -> list[EventFacts]:
    events = [EventFacts(1, "arrest", arrested), EventFacts(2, "bail_start", bail.bail_start_date(arrested))]
    return events + [EventFacts(3 + n, "bail_extension", on, rank) for n, (on, rank) in enumerate(extensions)]


def _check(events: list[EventFacts], *, authority: str, on: date, case: bail.BailCase = bail.STANDARD):
    position = _position(*events, case=case, until=on)
    return bail.extension_check(position=position, authority=authority, decided_on=on, case=case)


def test_an_inspectors_extension_after_bail_has_ended_is_refused_citing_s47zd_1_b():
    """s47ZD(1)(b): bail that ended on 28 Jan 2023 cannot be extended on 1 Feb 2023; on its last day it can."""
    events = _bailed(date(2022, 10, 28))
    with pytest.raises(ValidationError, match=r"ended on 28 Jan 2023.*PACE s47ZD\(1\)\(b\)"):
        _check(events, authority="inspector", on=date(2023, 2, 1))
    assert _check(events, authority="inspector", on=date(2023, 1, 28)).section == "PACE s47ZD"


def test_a_superintendents_extension_after_six_months_cites_s47zda_1_b():
    events = _bailed(date(2024, 1, 10), (date(2024, 4, 1), "inspector"))
    with pytest.raises(ValidationError, match=r"ended on 10 Jul 2024.*PACE s47ZDA\(1\)\(b\)"):
        _check(events, authority="superintendent", on=date(2024, 7, 11))


def test_a_court_application_after_nine_months_cites_s47zf_2():
    events = _bailed(date(2024, 1, 10), (date(2024, 4, 1), "inspector"), (date(2024, 7, 1), "superintendent"))
    with pytest.raises(ValidationError, match=r"PACE s47ZF\(2\)"):
        _check(events, authority="court", on=date(2024, 10, 11))


def test_the_nine_month_stage_is_s47zda_not_s47ze():
    """The superintendent's stage is s47ZDA (PCSC Act 2022 Sch 4 para 29); the refusal officers see says so."""
    events = _bailed(date(2024, 1, 10), (date(2024, 4, 1), "inspector"))
    with pytest.raises(ValidationError) as refused:
        _check(events, authority="chief_inspector", on=date(2024, 7, 1))
    assert "superintendent or above (PACE s47ZDA)" in refused.value.messages[0]
    assert "s47ZE" not in refused.value.messages[0]


DESIGNATED = bail.BailCase(designated=True)
NINE_MONTHS = ((date(2024, 4, 1), "inspector"), (date(2024, 7, 1), "superintendent"))


def test_a_chief_officer_extends_a_dpp_designated_case_to_twelve_months_under_s47ze():
    """s47ZE(3): in a case the DPP designated, a commander or assistant chief constable extends to 12 months."""
    step = _check(
        _bailed(date(2024, 1, 10), *NINE_MONTHS), authority="chief_officer", on=date(2024, 10, 1), case=DESIGNATED
    )
    assert (step.section, step.months) == ("PACE s47ZE", 12)
    with pytest.raises(ValidationError, match=r"chief officer \(commander or assistant chief constable\)"):
        _check(
            _bailed(date(2024, 1, 10), *NINE_MONTHS), authority="superintendent", on=date(2024, 10, 1), case=DESIGNATED
        )


def test_without_the_dpps_designation_a_chief_officer_cannot_go_past_nine_months():
    with pytest.raises(ValidationError, match=r"magistrates' court \(PACE s47ZF\(4\)\).*designated \(PACE s47ZE\)"):
        _check(_bailed(date(2024, 1, 10), *NINE_MONTHS), authority="chief_officer", on=date(2024, 10, 1))


def test_after_a_designated_extension_the_court_goes_to_eighteen_months():
    """s47ZF(4)(b): after s47ZE, the first court extension ends 18 months from the bail start."""
    assert bail.bail_ends_on(date(2024, 1, 10), 3, DESIGNATED) == date(2025, 1, 10)
    assert bail.bail_ends_on(date(2024, 1, 10), 4, DESIGNATED) == date(2025, 7, 10)


def test_in_s47zf7_cases_the_first_court_extension_runs_to_eighteen_months():
    """s47ZF(5)-(6): 18 months from the bail start; s47ZG then adds 6 months from the day after the end."""
    case = bail.BailCase(s47zf7=True)
    assert bail.bail_ends_on(date(2024, 2, 28), 3, case) == date(2025, 8, 28)
    assert bail.bail_ends_on(date(2024, 2, 28), 4, case) == date(2026, 2, 28)


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
        (3, "chief_officer", False),
        (3, "court", True),
    ],
)
def test_only_the_required_rank_may_extend_under_the_2022_regime(prior, authority, allowed):
    """s47ZD inspector or above; s47ZDA superintendent or above; s47ZF/ZG magistrates' court only (undesignated)."""
    steps = [(date(2024, 4, 1), "inspector"), (date(2024, 7, 1), "superintendent"), (date(2024, 10, 1), "court")]
    events = _bailed(date(2024, 1, 10), *steps[:prior])
    check = lambda: _check(events, authority=authority, on=date(2024, 3, 30) + timedelta(days=92 * prior))  # noqa: E731
    if allowed:
        check()
    else:
        with pytest.raises(ValidationError):
            check()


def test_old_regime_extension_to_three_months_needs_a_superintendent():
    """PACE s47ZD as in force before 28 October 2022: a superintendent extends 28 days to 3 months."""
    with pytest.raises(ValidationError, match="superintendent or above"):
        _check(_bailed(date(2022, 10, 27)), authority="inspector", on=date(2022, 11, 1))
    assert bail.bail_ends_on(date(2022, 10, 27), 1) == date(2023, 1, 27)


S46A_HISTORY = [
    EventFacts(1, "arrest", date(2022, 10, 20)),
    EventFacts(2, "bail_start", date(2022, 10, 21)),
    EventFacts(3, "bail_extension", date(2022, 11, 10), "superintendent"),
    EventFacts(4, "failed_to_surrender", date(2022, 12, 1)),
]


def test_an_s46a_rearrest_keeps_the_original_clock_and_regime():
    """A re-arrest for failing to answer bail (PACE s46A) belongs to the original arrest: bail started
    21 Oct 2022 under the 2017 regime, extended to 3 months (20 Jan 2023); re-bail after the s46A arrest keeps that
    end, and the next step is the 2017 court extension."""
    position = _position(
        *S46A_HISTORY,
        EventFacts(5, "arrest", date(2022, 12, 2), s46a=True),
        EventFacts(6, "bail_start", date(2022, 12, 3)),
    )
    assert (position.arrested_on, position.ends_on, position.on_bail) == (date(2022, 10, 20), date(2023, 1, 20), True)
    step = bail.next_step(arrested_on=position.arrested_on, taken=position.taken, authority="", case=bail.BailCase())
    assert step.section == "PACE s47ZF(4) (2017)"


def test_a_fresh_arrest_starts_a_new_clock_under_the_regime_of_its_day():
    position = _position(
        *S46A_HISTORY, EventFacts(5, "arrest", date(2022, 12, 2)), EventFacts(6, "bail_start", date(2022, 12, 3))
    )
    assert (position.arrested_on, position.ends_on) == (date(2022, 12, 2), date(2023, 3, 2))


def _case(events: list[EventFacts]) -> CaseFacts:
    day = events[0].on
    suspect = SuspectFacts(1, "Sam Doe", events)
    return CaseFacts(1, "X/1", "theft", "either_way", False, day, aware(day), aware(day), "open", suspects=[suspect])


def test_extension_decision_is_due_fourteen_days_before_expiry():
    """The force acts ahead of expiry (default 14 days) so there is time to find the authorising officer."""
    case = _case([EventFacts(1, "arrest", date(2024, 1, 10)), EventFacts(2, "bail_start", date(2024, 1, 11))])
    (spec,) = bail.actions(case, today=date(2024, 2, 1), conf=RuleSettings())
    assert spec.due_on == date(2024, 3, 27)
    assert "inspector or above, PACE s47ZD, before bail ends" in spec.title


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
    with pytest.raises(ValidationError, match=r"needs an inspector or above \(PACE s47ZD\)"):
        custody_event_record(
            suspect=suspect, kind="bail_extension", occurred_on=date(2024, 4, 1), authorising_rank="sergeant"
        )
    assert not suspect.custody_events.filter(kind="bail_extension").exists()
    custody_event_record(
        suspect=suspect, kind="bail_extension", occurred_on=date(2024, 4, 1), authorising_rank="inspector"
    )
    assert suspect.custody_events.filter(kind="bail_extension").count() == 1


@pytest.mark.django_db
def test_recording_an_extension_after_bail_ended_is_refused_with_the_section(org):
    """PACE s47ZD(1)(b): the inspector's extension of bail that ended on 10 Apr 2024 comes too late on 12 Apr."""
    suspect = SuspectFactory(investigation__team=org["westminster-team-a"])
    CustodyEventFactory(suspect=suspect, kind=CustodyEvent.Kind.ARREST, occurred_on=date(2024, 1, 10))
    CustodyEventFactory(suspect=suspect, kind=CustodyEvent.Kind.BAIL_START, occurred_on=date(2024, 1, 11))
    with pytest.raises(ValidationError, match=r"ended on 10 Apr 2024.*PACE s47ZD\(1\)\(b\)"):
        custody_event_record(
            suspect=suspect, kind="bail_extension", occurred_on=date(2024, 4, 12), authorising_rank="inspector"
        )
    assert not suspect.custody_events.filter(kind="bail_extension").exists()
