"""Temporal patterns stored by the refresh: STL decompositions of monthly series, weekend and bank-holiday effects.

Hour x weekday matrices, monthly series and year-on-year change are read straight from the rollups by selectors.
"""

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import holidays
import numpy as np
from django.db import transaction
from django.db.models import Sum
from statsmodels.tsa.seasonal import STL

from analytics.models import (
    CalendarEffect,
    ContextSeries,
    DailyCount,
    Level,
    MonthlyCount,
    PriorityMonthTotal,
    SeasonalDecomposition,
)
from ingestion.localtime import source_zones

STL_MIN_MONTHS = 24
STL_TOP_CATEGORIES = 10
STL_TOP_CATEGORIES_BOROUGH = 5
ALL = ""  # category '' is every category together


def _series(model, period: str, boroughs, *, by_category: bool) -> dict[tuple[str, str, str], dict]:
    """{(level, area_code, category): {period: total}} for the force and the given boroughs (None: all): all
    categories together, and each one when asked, in two queries."""
    series = defaultdict(dict)
    keys = ["area_code", "category", period] if by_category else ["area_code", period]
    local = model.objects.filter(level=Level.BOROUGH)
    if boroughs is not None:
        local = local.filter(area_code__in=boroughs)
    for level, rows in ((Level.FORCE, model.objects.filter(level=Level.FORCE)), (Level.BOROUGH, local)):
        for *key, when, total in rows.values_list(*keys).annotate(n=Sum("count")).order_by():
            area_code, category = key if len(key) == 2 else (key[0], ALL)
            series[(level, area_code, category)][when] = total
            if len(key) == 2:
                series[(level, area_code, ALL)][when] = series[(level, area_code, ALL)].get(when, 0) + total
    return series


def _replace(model, series_keys, objects) -> None:
    """Swap the stored results of the covered areas for the new ones."""
    model.objects.filter(area_code__in={area_code for _level, area_code, _category in series_keys}).delete()
    model.objects.bulk_create(objects)


# --- seasonal decomposition -------------------------------------------------------------------------------


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    months, current = [], first
    while current <= last:
        months.append(current)
        current = (current.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def dense_series(totals: dict[dt.date, int]) -> tuple[list[dt.date], np.ndarray]:
    """Every month from the first to the last, zero where nothing was recorded."""
    if not totals:
        return [], np.zeros(0)
    months = month_range(min(totals), max(totals))
    return months, np.array([totals.get(month, 0) for month in months], dtype=float)


def stl_decompose(values: np.ndarray) -> dict | None:
    """STL with a yearly period; None for series too short to hold two seasons."""
    if len(values) < STL_MIN_MONTHS:
        return None
    fit = STL(values, period=12).fit()  # robust weights cost 5x the time and move little on monthly counts
    detrended = values - fit.trend
    strength = max(0.0, 1 - np.var(fit.resid) / np.var(detrended)) if np.var(detrended) > 0 else 0.0
    return {
        "trend": _rounded(fit.trend),
        "seasonal": _rounded(fit.seasonal),
        "resid": _rounded(fit.resid),
        "seasonal_strength": round(float(strength), 4),
    }


def _rounded(values) -> list[float]:
    return [round(float(value), 3) for value in values]


def decompositions_refresh(*, boroughs) -> None:
    """The main series: every category together, the force's top 10 categories and each borough's top 5."""
    series = _series(MonthlyCount, "month", boroughs, by_category=True)
    top = _top_categories(series)
    objects = [
        _decomposition(level, area_code, category, totals)
        for (level, area_code, category), totals in series.items()
        if category == ALL or category in top[(level, area_code)]
    ]
    _replace(SeasonalDecomposition, series, [obj for obj in objects if obj is not None])


def _top_categories(series: dict) -> dict[tuple[str, str], set[str]]:
    """{(level, area_code): its largest categories}, every area in one pass over the series. Ties go by name: the
    order rows come back in must not decide, or a refresh of a slice would choose other series than a full one."""
    totals = defaultdict(dict)
    for (level, area_code, category), values in series.items():
        if category != ALL:
            totals[(level, area_code)][category] = sum(values.values())
    top = {Level.FORCE: STL_TOP_CATEGORIES, Level.BOROUGH: STL_TOP_CATEGORIES_BOROUGH}
    return defaultdict(set, {area: set(sorted(counts, key=lambda name: (-counts[name], name))[:top[area[0]]])
                             for area, counts in totals.items()})  # fmt: skip


def _decomposition(level: str, area_code: str, category: str, totals: dict) -> SeasonalDecomposition | None:
    months, values = dense_series(totals)
    result = stl_decompose(values)
    if result is None:
        return None
    return SeasonalDecomposition(
        area_code=area_code,
        category=category,
        borough_code=area_code if level == Level.BOROUGH else "",
        months=[month.isoformat() for month in months],
        observed=_rounded(values),
        **result,
    )


# --- weekend and bank-holiday effects ---------------------------------------------------------------------


def holiday_calendar(area_code: str, years, zone: str = ""):
    """US federal holidays for areas whose sources record in an American zone (and Maryland's for Baltimore's 'bal'
    codes); England & Wales bank holidays otherwise."""
    if area_code.startswith("bal"):
        return holidays.country_holidays("US", subdiv="MD", years=years)
    if zone.startswith("America/"):
        return holidays.country_holidays("US", years=years)
    return holidays.country_holidays("GB", subdiv="ENG", years=years)


def calendar_effects(daily: dict[dt.date, int], holiday_days) -> dict[str, tuple[list[float], list[float]]]:
    """(days on, days off) counts per effect. Bank holidays are compared with other weekdays only, so the
    weekend effect does not leak into the holiday one."""
    first, last = min(daily), max(daily)
    holiday_days = set(holiday_days)  # a holidays calendar answers `in` far slower than a set, once per day
    days = [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]
    weekend = {day for day in days if day.weekday() >= 5}
    split = defaultdict(lambda: ([], []))
    for day in days:
        count = daily.get(day, 0)
        split[CalendarEffect.Effect.WEEKEND][0 if day in weekend else 1].append(count)
        if day not in weekend:
            split[CalendarEffect.Effect.HOLIDAY][0 if day in holiday_days else 1].append(count)
    return dict(split)


def calendar_effects_refresh(*, boroughs) -> None:
    series = _series(DailyCount, "day", boroughs, by_category=False)
    zones = _area_zones()
    objects = [
        effect
        for (level, area_code, _category), daily in series.items()
        for effect in _effects(level, area_code, daily, zones.get(area_code, ""))
    ]
    _replace(CalendarEffect, series, objects)


def _area_zones() -> dict[str, str]:
    """{force or borough code: the zone of its sources} (the first in order when its sources differ)."""
    rows = PriorityMonthTotal.objects.filter(level__in=(Level.FORCE, Level.BOROUGH))
    pairs = list(rows.values_list("area_code", "source").distinct().order_by("area_code", "source"))
    zones = source_zones(source for _area, source in pairs)
    result = {}
    for area_code, source in pairs:
        result.setdefault(area_code, zones.get(source, ""))
    return result


def _effects(level: str, area_code: str, daily: dict[dt.date, int], zone: str) -> list[CalendarEffect]:
    years = range(min(daily).year, max(daily).year + 1)
    result = []
    for effect, (on, off) in calendar_effects(daily, holiday_calendar(area_code, years, zone)).items():
        mean_on, mean_off = (float(np.mean(values)) if values else 0.0 for values in (on, off))
        result.append(CalendarEffect(
            area_code=area_code, category=ALL, effect=effect, borough_code=area_code if level == Level.BOROUGH else "",
            days_on=len(on), days_off=len(off), mean_on=round(mean_on, 3), mean_off=round(mean_off, 3),
            ratio=round(mean_on / mean_off, 4) if on and mean_off else None,
        ))  # fmt: skip
    return result


# --- contextual series ------------------------------------------------------------------------------------


@transaction.atomic
def context_import(*, path: Path) -> int:
    """Load `name,date,value[,label]` rows (weather, events, school terms); re-loading a day replaces it."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        ContextSeries.objects.update_or_create(
            name=row["name"].strip(),
            date=dt.date.fromisoformat(row["date"].strip()),
            defaults={"value": float(row["value"]), "label": (row.get("label") or "").strip()},
        )
    return len(rows)
