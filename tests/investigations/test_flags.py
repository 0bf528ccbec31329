from datetime import date

import pytest

from investigations.flags import flag_for

TODAY = date(2025, 6, 10)


@pytest.mark.parametrize(
    ("due", "flag"),
    [
        (date(2025, 6, 9), "overdue"),
        (date(2025, 6, 10), "due_today"),
        (date(2025, 6, 11), "due_soon"),
        (date(2025, 6, 13), "due_soon"),
        (date(2025, 6, 14), "upcoming"),
    ],
)
def test_flag_follows_the_due_date_and_warning_window(due, flag):
    assert flag_for(due_on=due, warning_days=3, today=TODAY) == flag
