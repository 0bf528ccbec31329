"""Statutory time limits: Magistrates' Courts Act 1980 s127(1); Criminal Justice Act 1988 s39A (inserted by the
Police, Crime, Sentencing and Courts Act 2022 s49) for domestic-abuse common assault and battery."""

from datetime import date

import pytest

from investigations.conf import RuleSettings
from investigations.rules import time_limits
from investigations.rules.calendar import months_from
from investigations.rules.facts import CaseFacts, EventFacts, SuspectFacts, VictimFacts
from tests.investigations.factories import aware

CONF = RuleSettings()


def _case(offence_date, *, offence="harassment", offence_class="summary", da=False, statement=None, charged=False):
    victims = [VictimFacts(1, "V", statement_received_on=statement)]
    suspects = [SuspectFacts(1, "S", [EventFacts(1, "charge", offence_date)])] if charged else []
    return CaseFacts(
        1, "X/1", offence, offence_class, da, offence_date, aware(offence_date), aware(offence_date), "open",
        victims=victims, suspects=suspects,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("offence", "last_day"),
    [
        (date(2023, 8, 31), date(2024, 2, 29)),  # leap year: 29 February
        (date(2022, 8, 31), date(2023, 2, 28)),
        (date(2024, 2, 29), date(2024, 8, 29)),
        (date(2024, 1, 15), date(2024, 7, 15)),
    ],
)
def test_summary_offence_limit_is_six_calendar_months_from_the_offence(offence, last_day):
    """MCA 1980 s127(1): within six months from the time the offence was committed (corresponding date rule)."""
    assert months_from(offence, 6) == last_day
    assert time_limits.last_day_to_charge(_case(offence), CONF) == (last_day, "MCA 1980 s127")


@pytest.mark.parametrize("offence_class", ["either_way", "indictable"])
def test_either_way_and_indictable_offences_have_no_time_limit(offence_class):
    case = _case(date(2020, 1, 1), offence="robbery", offence_class=offence_class)
    assert time_limits.actions(case, today=date(2026, 1, 1), conf=CONF) == []


def test_domestic_common_assault_runs_six_months_from_the_victims_statement():
    """CJA 1988 s39A(4)(b): six months from the first date the complainant's statement was provided."""
    case = _case(date(2023, 1, 10), offence="common_assault", da=True, statement=date(2023, 5, 31))
    assert time_limits.last_day_to_charge(case, CONF) == (date(2023, 11, 30), "CJA 1988 s39A")


def test_late_statement_is_capped_at_two_years_from_the_offence():
    """CJA 1988 s39A(4)(a): in any case within two years from the date of the offence."""
    case = _case(date(2023, 1, 10), offence="battery", da=True, statement=date(2024, 12, 1))
    assert time_limits.last_day_to_charge(case, CONF) == (date(2025, 1, 10), "CJA 1988 s39A")


def test_statement_received_after_two_years_leaves_the_case_time_barred():
    case = _case(date(2023, 1, 10), offence="common_assault", da=True, statement=date(2025, 3, 1))
    (spec,) = time_limits.actions(case, today=date(2025, 3, 2), conf=CONF)
    assert spec.due_on == date(2025, 1, 10)
    assert spec.due_on < date(2025, 3, 2)


def test_domestic_assault_without_a_statement_keeps_the_s127_limit_and_says_s39a_may_extend_it():
    case = _case(date(2023, 1, 10), offence="common_assault", da=True)
    (spec,) = time_limits.actions(case, today=date(2023, 2, 1), conf=CONF)
    assert spec.due_on == date(2023, 7, 10)
    assert "s39A may extend" in spec.title


def test_s39a_does_not_reach_offences_before_28_june_2022():
    """PCSC Act 2022 s49 applies to offences committed on or after its commencement."""
    case = _case(date(2022, 6, 27), offence="common_assault", da=True, statement=date(2022, 12, 1))
    assert time_limits.last_day_to_charge(case, CONF) == (date(2022, 12, 27), "MCA 1980 s127")


def test_non_domestic_common_assault_keeps_six_months_from_the_offence():
    case = _case(date(2023, 1, 10), offence="common_assault", da=False, statement=date(2023, 5, 31))
    assert time_limits.last_day_to_charge(case, CONF) == (date(2023, 7, 10), "MCA 1980 s127")


def test_no_time_limit_action_once_charged():
    case = _case(date(2023, 1, 10), charged=True)
    assert time_limits.actions(case, today=date(2023, 2, 1), conf=CONF) == []
