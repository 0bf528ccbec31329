"""Demo context series in import_context's format (`name,date,value,label`): England's bank holidays, school terms,
daily weather (mean temperature in °C, rain in mm) and a few London events, over the demo CAD calls' days and the
forecast fortnight after them.

The demo CAD calls respond to the same days (demand_multiplier): more calls on event days, fewer on bank holidays
and in heavy rain, so the forecasting chain has real effects to find. Weather is seeded by date, so the CSV and the
calls always agree.
"""

import csv
from datetime import date, timedelta
from pathlib import Path

import holidays
import numpy as np

FORECAST_DAYS = 14
# The demo CAD export's days (ingestion.demo.cad writes the last 120), with a margin.
CAD_DAYS = 130
# The effects the demo calls carry: what the analytical page's context panel should measure, within its interval.
EVENT_LIFT, BANK_HOLIDAY_LIFT, RAIN_LIFT_PER_MM, RAIN_FLOOR = 0.3, -0.1, -0.01, 0.8
# (month, day, name): fixed-date events a London force plans for; the Carnival follows the August bank holiday.
EVENTS = [(11, 5, "Bonfire night"), (12, 31, "New Year's Eve"), (7, 4, "Summer concert, Hyde Park")]
# English school holidays (month, day) to (month, day), approximately: Christmas, February half term, Easter, May
# half term, summer and October half term. Every other weekday is a term day.
SCHOOL_HOLIDAYS = [((12, 20), (1, 5)), ((2, 15), (2, 23)), ((3, 29), (4, 14)), ((5, 25), (6, 1)), ((7, 22), (9, 3)),
                   ((10, 24), (11, 2))]  # fmt: skip


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def weather(day: date, seed: int) -> tuple[float, float]:
    """(mean temperature °C, rain mm) of a day: a seasonal cycle with noise, seeded by the date."""
    rng = np.random.default_rng([seed, day.toordinal()])
    temperature = 11.5 + 7.0 * np.sin(2 * np.pi * (day.timetuple().tm_yday - 110) / 365.25) + rng.normal(0, 2.5)
    rain = float(rng.gamma(0.9, 6.0)) if rng.random() < 0.45 else 0.0
    return round(float(temperature), 1), round(rain, 1)


def events(years: range) -> dict[date, str]:
    """Fixed-date events, the Carnival, a home match every other Saturday of the football season (mid-August to
    mid-May) and a concert on each month's first Friday."""
    days = {date(year, month, day): name for year in years for month, day, name in EVENTS}
    for day in _days(date(years[0], 1, 1), date(years[-1], 12, 31)):
        if day.weekday() == 5 and day.isocalendar().week % 2 == 0 and not (5, 15) < (day.month, day.day) < (8, 10):
            days[day] = "Home football match"
        elif day.weekday() == 4 and day.day <= 7:
            days[day] = "Arena concert"
    for year in years:  # Notting Hill Carnival: the Sunday and Monday of the August bank holiday weekend
        monday = max(d for d, name in holidays.country_holidays("GB", subdiv="ENG", years=year).items()
                     if d.month == 8)  # fmt: skip
        days |= {monday - timedelta(days=1): "Notting Hill Carnival", monday: "Notting Hill Carnival"}
    return days


def in_school_term(day: date) -> bool:
    if day.weekday() >= 5:
        return False
    for (m1, d1), (m2, d2) in SCHOOL_HOLIDAYS:
        first, last = (m1, d1), (m2, d2)
        key = (day.month, day.day)
        inside = first <= key <= last if first <= last else key >= first or key <= last
        if inside:
            return False
    return True


def demand_multipliers(*, days: list[date], seed: int) -> dict[date, float]:
    """How much busier than usual the demo makes each day: events, bank holidays and rain."""
    years = range(min(days).year, max(days).year + 1)
    listed, bank = events(years), holidays.country_holidays("GB", subdiv="ENG", years=years)
    return {
        day: (1.0 + (EVENT_LIFT if day in listed else 0.0))
        * (1.0 + (BANK_HOLIDAY_LIFT if day in bank else 0.0))
        * max(RAIN_FLOOR, 1.0 + RAIN_LIFT_PER_MM * weather(day, seed)[1])
        for day in set(days)
    }


def context_rows(*, start: date, end: date, seed: int) -> list[tuple[str, str, float, str]]:
    days = _days(start, end + timedelta(days=FORECAST_DAYS))
    years = range(days[0].year, days[-1].year + 1)
    bank = holidays.country_holidays("GB", subdiv="ENG", years=years)
    listed = events(years)
    rows = []
    for day in days:
        temperature, rain = weather(day, seed)
        rows += [("temperature_c", day.isoformat(), temperature, ""), ("rain_mm", day.isoformat(), rain, "")]
        rows.append(("school_term", day.isoformat(), float(in_school_term(day)), ""))
        if day in bank:
            rows.append(("bank_holiday", day.isoformat(), 1.0, bank[day]))
        if day in listed:
            rows.append(("event", day.isoformat(), 1.0, listed[day]))
    return rows


def context_csv_write(*, path: Path, end: date, seed: int, days: int = CAD_DAYS) -> int:
    """Every context series over the `days` before `end` and the fortnight after it (the days ahead are forecast
    with them)."""
    rows = context_rows(start=end - timedelta(days=days), end=end, seed=seed)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["name", "date", "value", "label"])
        writer.writerows(rows)
    return len(rows)
