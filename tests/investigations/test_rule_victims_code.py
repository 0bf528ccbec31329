"""Victims' Code (Code of Practice for Victims of Crime in England and Wales 2020), Right 6: tell the victim of
an arrest, interview, charge, bail or RUI, or release within 5 working days, 1 for enhanced-rights victims.
Working days skip weekends and England and Wales bank holidays (`holidays`, subdivision ENG)."""

from datetime import date

import pytest

from investigations.conf import RuleSettings
from investigations.rules import victims_code
from investigations.rules.calendar import add_working_days
from investigations.rules.facts import CaseFacts, EventFacts, SuspectFacts, VictimFacts
from tests.investigations.factories import aware

CONF = RuleSettings()


@pytest.mark.parametrize(
    ("event", "enhanced", "due"),
    [
        (date(2025, 3, 7), False, date(2025, 3, 14)),  # Friday -> next Friday
        (date(2025, 3, 7), True, date(2025, 3, 10)),  # Friday -> Monday
        (date(2025, 3, 8), True, date(2025, 3, 10)),  # Saturday -> Monday
        (date(2024, 12, 24), True, date(2024, 12, 27)),  # Christmas Day and Boxing Day skipped
        (date(2024, 12, 24), False, date(2025, 1, 3)),  # ... and New Year's Day
        (date(2025, 4, 17), True, date(2025, 4, 22)),  # Good Friday and Easter Monday skipped
        (date(2025, 8, 22), True, date(2025, 8, 26)),  # Summer bank holiday (England) skipped
    ],
)
def test_contact_is_due_after_the_right_number_of_working_days(event, enhanced, due):
    assert victims_code.contact_due(event, enhanced=enhanced, conf=CONF) == due


def test_scottish_only_holiday_is_a_working_day_in_england():
    """St Andrew's Day (Scotland) 1 Dec 2025 is a Monday: a working day in England and Wales."""
    assert add_working_days(date(2025, 11, 28), 1) == date(2025, 12, 1)


def _case(contacts: list[date]) -> CaseFacts:
    day = date(2025, 3, 7)
    suspect = SuspectFacts(1, "Sam", [EventFacts(11, "arrest", day), EventFacts(12, "rui", date(2025, 3, 8))])
    victim = VictimFacts(5, "Val", enhanced_rights=False, contacts=contacts)
    return CaseFacts(
        1,
        "X/1",
        "theft",
        "either_way",
        False,
        day,
        aware(day),
        aware(day),
        "open",
        suspects=[suspect],
        victims=[victim],
    )


def test_each_notifiable_event_needs_its_own_update():
    specs = victims_code.actions(_case([]), today=date(2025, 3, 10), conf=CONF)
    assert [s.key for s in specs] == ["5:11", "5:12"]
    assert "release under investigation" in specs[1].title


def test_a_contact_on_or_after_the_event_clears_it_but_an_earlier_one_does_not():
    specs = victims_code.actions(_case([date(2025, 3, 7)]), today=date(2025, 3, 10), conf=CONF)
    assert [s.key for s in specs] == ["5:12"]
    assert victims_code.actions(_case([date(2025, 3, 9)]), today=date(2025, 3, 10), conf=CONF) == []
