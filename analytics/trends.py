"""Emerging-trend monitoring: each area x category's latest month (and week, for timed data) against what its own
history predicted, with negative-binomial limits (Poisson when the history is not over-dispersed).

Expected = (mean of the last 12 months + linear trend carried forward) x the month's seasonal factor from earlier
years. An alert is raised when the two-sided p-value falls below ANALYTICS_ALERT_P_PER_MILLE / 1000.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from scipy import stats

from accounts.scoping import area_codes_visible_to
from analytics import conf
from analytics.models import Alert, DailyCount, Level, MonthlyCount
from analytics.temporal import dense_series

TREND_LEVELS = (Level.FORCE, Level.BOROUGH)
WEEKS_OF_HISTORY = 12


@dataclass(frozen=True)
class Test:
    observed: int
    expected: float
    lower: float
    upper: float
    p_value: float

    @property
    def direction(self) -> str:
        return Alert.Direction.UP if self.observed > self.expected else Alert.Direction.DOWN

    def significant(self) -> bool:
        volume = self.observed if self.direction == Alert.Direction.UP else self.expected
        return self.p_value < conf.ALERT_P_PER_MILLE / 1000 and volume >= conf.ALERT_MIN_EXPECTED


def count_test(observed: int, expected: float, dispersion: float) -> Test:
    """Two-sided test of one count against its expectation; dispersion = variance / mean of the history."""
    expected = max(expected, 0.1)
    dist = _distribution(expected, dispersion)
    alpha = conf.ALERT_P_PER_MILLE / 1000
    p_value = min(1.0, 2 * min(dist.sf(observed - 1), dist.cdf(observed)))
    return Test(
        observed=int(observed),
        expected=round(float(expected), 3),
        lower=float(dist.ppf(alpha / 2)),
        upper=float(dist.isf(alpha / 2)),
        p_value=float(p_value),
    )


def _distribution(mean: float, dispersion: float):
    if dispersion <= 1.05:
        return stats.poisson(mean)
    size = mean / (dispersion - 1)
    return stats.nbinom(size, size / (size + mean))


def monthly_expectation(history: np.ndarray, month_of_year: int, first_month_of_year: int) -> tuple[float, float]:
    """(expected count, dispersion) for the month after `history` (history[0] is month `first_month_of_year`)."""
    recent = history[-12:]
    slope = np.polyfit(np.arange(len(recent)), recent, 1)[0] if recent.any() else 0.0
    level = max(recent.mean() + slope * (len(recent) + 1) / 2, 0.0)
    expected = level * _seasonal_factor(history, month_of_year, first_month_of_year)
    fitted = recent.mean() + slope * (np.arange(len(recent)) - (len(recent) - 1) / 2)
    dispersion = float(np.var(recent - fitted) / recent.mean()) if recent.mean() > 0 else 1.0
    return float(expected), dispersion


def _seasonal_factor(history: np.ndarray, month_of_year: int, first_month_of_year: int) -> float:
    """The calendar month's mean over the full earlier years, against the mean of those years; 1 with < 2 years."""
    if len(history) < 24 or history.mean() == 0:
        return 1.0
    months_of_year = (np.arange(len(history)) + first_month_of_year - 1) % 12 + 1
    same = history[months_of_year == month_of_year]
    return float(np.clip(same.mean() / history.mean(), 0.5, 2.0)) if len(same) else 1.0


# --- detection ----------------------------------------------------------------------------------------------


def trends_detect() -> dict[str, int]:
    """Test every force/borough x category series; returns how many alerts were raised and are open."""
    detection = _Detection(
        open_keys=set(
            Alert.objects.filter(state=Alert.State.OPEN).values_list("area_code", "category", "period", "period_start")
        )
    )
    for level in TREND_LEVELS:
        for area_code, borough_code in _areas(level):
            area = (level, area_code, borough_code)
            _detect_monthly(detection, *area)
            _detect_weekly(detection, *area)
    return {"raised": detection.raised, "open": Alert.objects.filter(state=Alert.State.OPEN).count()}


@dataclass
class _Detection:
    open_keys: set
    raised: int = 0

    def record(self, test: Test, level, area_code, borough_code, category, period, period_start) -> None:
        key = {"area_code": area_code, "category": category, "period": period, "period_start": period_start}
        if not test.significant():
            # A series back within its limits after new data drops its open alert (acted-on alerts are kept).
            if tuple(key.values()) in self.open_keys:
                Alert.objects.filter(state=Alert.State.OPEN, **key).delete()
            return
        values = {
            "level": level,
            "borough_code": borough_code,
            "observed": test.observed,
            "expected": test.expected,
            "lower": test.lower,
            "upper": test.upper,
            "p_value": test.p_value,
            "direction": test.direction,
        }
        _alert, created = Alert.objects.update_or_create(defaults=values, **key)
        self.raised += int(created)


def _areas(level: str) -> list[tuple[str, str]]:
    rows = MonthlyCount.objects.filter(level=level).values_list("area_code", "borough_code").distinct()
    if level == Level.FORCE:
        return sorted({(code, "") for code, _borough in rows})
    return sorted(set(rows))


def _by_category(rows, key: str) -> dict[str, dict]:
    """{category: {month or day: total}} in one query."""
    result = defaultdict(dict)
    for category, period, total in rows.values_list("category", key).annotate(n=Sum("count")).order_by():
        result[category][period] = total
    return result


def _detect_monthly(detection: _Detection, level: str, area_code: str, borough_code: str) -> None:
    rows = MonthlyCount.objects.filter(level=level, area_code=area_code)
    latest_of = _latest_month_by_category(rows)
    running = {month: _running_categories(level, area_code, month) for month in set(latest_of.values())}
    for category, totals in _by_category(rows, "month").items():
        # A category's latest month is the latest of the sources that record it (a monthly archive and a live CAD
        # feed end in different months); a category with nothing in that month counts 0. The month before is
        # tested when the category's timed data show the latest is still running.
        latest = latest_of[category]
        tested = (latest - dt.timedelta(days=1)).replace(day=1) if category in running[latest] else latest
        totals = {month: count for month, count in totals.items() if month <= tested}
        totals.setdefault(tested, 0)
        months, values = dense_series(totals)
        if len(values) - 1 < conf.ALERT_MIN_HISTORY_MONTHS:
            continue
        expected, dispersion = monthly_expectation(values[:-1], tested.month, months[0].month)
        test = count_test(int(values[-1]), expected, dispersion)
        detection.record(test, level, area_code, borough_code, category, Alert.Period.MONTH, tested)


def _latest_month_by_category(rows) -> dict[str, dt.date]:
    latest_of_source = dict(rows.values_list("source").annotate(latest=Max("month")).order_by())
    latest = {}
    for category, source in rows.values_list("category", "source").distinct().order_by():
        latest[category] = max(latest.get(category, latest_of_source[source]), latest_of_source[source])
    return latest


def _running_categories(level: str, area_code: str, month: dt.date) -> set[str]:
    """Categories whose timed data stop before the end of `month`."""
    days = DailyCount.objects.filter(level=level, area_code=area_code, month=month)
    last_days = days.values_list("category").annotate(last=Max("day")).order_by()
    return {category for category, last in last_days if last.month == (last + dt.timedelta(days=1)).month}


def _detect_weekly(detection: _Detection, level: str, area_code: str, borough_code: str) -> None:
    rows = DailyCount.objects.filter(level=level, area_code=area_code)
    last_day = rows.aggregate(last=Max("day"))["last"]
    if last_day is None:
        return
    week_end = last_day - dt.timedelta(days=(last_day.weekday() + 1) % 7)  # the latest Sunday with data
    start = week_end - dt.timedelta(days=7 * (WEEKS_OF_HISTORY + 1) - 1)
    for category, daily in _by_category(rows.filter(day__range=(start, week_end)), "day").items():
        weeks = np.array([_week_total(daily, start + dt.timedelta(days=7 * w)) for w in range(WEEKS_OF_HISTORY + 1)])
        history = weeks[:-1]
        if min(daily) > start + dt.timedelta(days=6) or history.mean() == 0:
            continue  # too short a history, or nothing to compare with
        test = count_test(int(weeks[-1]), float(history.mean()), float(np.var(history) / history.mean()))
        detection.record(
            test,
            level,
            area_code,
            borough_code,
            category,
            Alert.Period.WEEK,
            start + dt.timedelta(weeks=WEEKS_OF_HISTORY),
        )


def _week_total(daily: dict, monday: dt.date) -> int:
    return sum(daily.get(monday + dt.timedelta(days=offset), 0) for offset in range(7))


# --- acknowledgement ---------------------------------------------------------------------------------------


def alerts_visible_to(*, user):
    codes = area_codes_visible_to(user=user)
    alerts = Alert.objects.all()
    return alerts if codes is None else alerts.filter(borough_code__in=codes)


@transaction.atomic
def alert_set_state(*, alert: Alert, user, state: str, note: str = "") -> Alert:
    """The alert acknowledged or dismissed by `user`, with their note (who may, and the audit record:
    analytics.services.alert_act)."""
    if state not in (Alert.State.ACKNOWLEDGED, Alert.State.DISMISSED):
        raise ValueError(f"An alert can be acknowledged or dismissed, not set to {state!r}.")
    alert.state, alert.note, alert.acted_by, alert.acted_at = state, note, user, timezone.now()
    alert.save(update_fields=["state", "note", "acted_by", "acted_at"])
    return alert
