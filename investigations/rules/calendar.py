"""Statutory date arithmetic shared by the rules.

"Month" in an Act means calendar month (Interpretation Act 1978 Sch 1). A period "from" a day ends on the
corresponding date of the later month; where that month is too short, on its last day (Dodds v Walker [1981]
1 WLR 1027, HL). A period "beginning with" a day includes that day, so it ends the day before.
"""

import calendar as _calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays


def add_months(day: date, months: int) -> date:
    """The corresponding date `months` later, or the last day of that month when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = _calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def months_from(day: date, months: int) -> date:
    """Last day of a period of `months` months "from" `day` (the day itself excluded)."""
    return add_months(day, months)


def months_beginning_with(day: date, months: int) -> date:
    """Last day of a period of `months` months "beginning with" `day`."""
    corresponding = add_months(day, months)
    if corresponding.day != day.day:  # no corresponding date: the period runs to the end of that month
        return corresponding
    return corresponding - timedelta(days=1)


def days_beginning_with(day: date, days: int) -> date:
    return day + timedelta(days=days - 1)


@lru_cache(maxsize=64)
def bank_holidays(year: int, subdivision: str = "ENG") -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def is_working_day(day: date, subdivision: str = "ENG") -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year, subdivision)


def add_working_days(day: date, count: int, subdivision: str = "ENG") -> date:
    """The `count`th working day after `day` (weekends and England and Wales bank holidays skipped)."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if is_working_day(current, subdivision):
            count -= 1
    return current
