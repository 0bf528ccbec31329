"""Where an open action stands against today: the flag its row shows and its badge counts."""

from datetime import date, timedelta

OVERDUE, DUE_TODAY, DUE_SOON, UPCOMING = "overdue", "due_today", "due_soon", "upcoming"
FLAG_LABELS = {OVERDUE: "Overdue", DUE_TODAY: "Due today", DUE_SOON: "Due soon", UPCOMING: "Upcoming"}
FLAG_ORDER = [OVERDUE, DUE_TODAY, DUE_SOON, UPCOMING]


def flag_for(*, due_on: date, warning_days: int, today: date) -> str:
    if due_on < today:
        return OVERDUE
    if due_on == today:
        return DUE_TODAY
    if due_on <= today + timedelta(days=warning_days):
        return DUE_SOON
    return UPCOMING
