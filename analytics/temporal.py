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

from analytics.models import CalendarEffect, ContextSeries, DailyCount, Level, MonthlyCount, SeasonalDecomposition

STL_MIN_MONTHS = 24
STL_TOP_CATEGORIES = 10
ALL = ""  # category '' is every category together


def temporal_refresh(*, boroughs: tuple[str, ...] | None) -> None:
    """Recompute for the force and the given boroughs (None: every borough)."""
    decompositions_refresh(boroughs=boroughs)
    calendar_effects_refresh(boroughs=boroughs)


def _area_filter(boroughs) -> dict:
    return {} if boroughs is None else {"borough_code__in": boroughs}


def _areas(model, boroughs) -> list[tuple[str, str]]:
    """(level, area_code) pairs at force and borough level that the refresh covers."""
    forces = model.objects.filter(level=Level.FORCE).values_list("area_code", flat=True).distinct()
    local = model.objects.filter(level=Level.BOROUGH, **_area_filter(boroughs))
    return [(Level.FORCE, code) for code in forces] + [
        (Level.BOROUGH, code) for code in local.values_list("area_code", flat=True).distinct()
    ]


# --- seasonal decomposition -------------------------------------------------------------------------------


def monthly_totals(*, level: str, area_code: str, category: str = ALL) -> dict[dt.date, int]:
    rows = MonthlyCount.objects.filter(level=level, area_code=area_code)
    if category:
        rows = rows.filter(category=category)
    return dict(rows.values_list("month").annotate(total=Sum("count")).order_by("month"))


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
    fit = STL(values, period=12, robust=True).fit()
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
    """The main series: every category together for the force and each borough, and the force's top categories
    (a borough x category decomposition of a few dozen crimes a month would be mostly noise)."""
    for level, area_code in _areas(MonthlyCount, boroughs):
        categories = _main_categories(level, area_code) if level == Level.FORCE else []
        for category in [ALL, *categories]:
            _decomposition_store(level, area_code, category)


def _main_categories(level: str, area_code: str) -> list[str]:
    rows = MonthlyCount.objects.filter(level=level, area_code=area_code).values("category")
    ranked = rows.annotate(total=Sum("count")).order_by("-total").values_list("category", flat=True)
    return list(ranked[:STL_TOP_CATEGORIES])


def _decomposition_store(level: str, area_code: str, category: str) -> None:
    months, values = dense_series(monthly_totals(level=level, area_code=area_code, category=category))
    result = stl_decompose(values)
    if result is None:
        SeasonalDecomposition.objects.filter(area_code=area_code, category=category).delete()
        return
    SeasonalDecomposition.objects.update_or_create(
        area_code=area_code,
        category=category,
        defaults={
            "borough_code": area_code if level == Level.BOROUGH else "",
            "months": [month.isoformat() for month in months],
            "observed": _rounded(values),
            **result,
        },
    )


# --- weekend and bank-holiday effects ---------------------------------------------------------------------


def holiday_calendar(area_code: str, years):
    """England & Wales bank holidays for UK areas; US federal and Maryland holidays for Baltimore ('bal' codes)."""
    if area_code.startswith("bal"):
        return holidays.country_holidays("US", subdiv="MD", years=years)
    return holidays.country_holidays("GB", subdiv="ENG", years=years)


def calendar_effects(daily: dict[dt.date, int], holiday_days) -> dict[str, tuple[list[float], list[float]]]:
    """(days on, days off) counts per effect. Bank holidays are compared with other weekdays only, so the
    weekend effect does not leak into the holiday one."""
    first, last = min(daily), max(daily)
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
    for level, area_code in _areas(DailyCount, boroughs):
        daily = dict(
            DailyCount.objects.filter(level=level, area_code=area_code)
            .values_list("day")
            .annotate(total=Sum("count"))
            .order_by("day")
        )
        if daily:
            _effects_store(level, area_code, daily)


def _effects_store(level: str, area_code: str, daily: dict[dt.date, int]) -> None:
    years = range(min(daily).year, max(daily).year + 1)
    for effect, (on, off) in calendar_effects(daily, holiday_calendar(area_code, years)).items():
        mean_on, mean_off = (float(np.mean(values)) if values else 0.0 for values in (on, off))
        CalendarEffect.objects.update_or_create(
            area_code=area_code,
            category=ALL,
            effect=effect,
            defaults={
                "borough_code": area_code if level == Level.BOROUGH else "",
                "days_on": len(on),
                "days_off": len(off),
                "mean_on": round(mean_on, 3),
                "mean_off": round(mean_off, 3),
                "ratio": round(mean_on / mean_off, 4) if on and mean_off else None,
            },
        )


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
