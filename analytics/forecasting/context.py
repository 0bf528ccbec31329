"""Context in daily demand forecasts: bank holidays, school terms, weather and events as regression features.

A factor is one column per day: the area's bank holidays (from the `holidays` package, the calendar analytics.temporal
uses for its calendar effects) or a series loaded by import_context (ContextSeries; a force's own series of the same
name replaces the computed one). Factors enter a log-linear regression with weekday and trend terms, the
'context-regression' model. On each series' validation folds a factor is kept only when adding it to the regression
cuts the mean absolute error by at least MIN_GAIN; the regression with the kept factors then competes with every
other model for the series' choice on the same validation folds. Test folds never choose anything.

Each factor's effect is measured on the whole series: its coefficient as a change in daily calls (on vs off days, or
per unit), with a 90 % interval from standard errors robust to autocorrelated days (Newey-West, one week of lags).
Weather enters as recorded on the day: a live forecast would use the weather forecast, so its test scores are a
little better than a live forecast's. Only daily series take context (the series are daily; hours and weeks do not).
"""

from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd
from django.db import transaction
from scipy import stats

from analytics.forecasting import backtest as demand_backtest
from analytics.forecasting import methods as forecasting
from analytics.models import ContextEffect, ContextSeries, DailyCount, Level
from analytics.temporal import holiday_calendar
from ingestion.localtime import source_zone
from ingestion.models import Incident

CONTEXT = "context-regression"
BANK_HOLIDAY = "bank_holiday"
KEPT = "+"
# A factor must cut the regression's validation MAE by this share to be kept: a column of noise moves it by less.
MIN_GAIN = 0.01
# The regression is fitted on the last year of each history: long enough for every weekday many times over.
FIT_WINDOW = 364
# Fewest days 'on' (and 'off') for an on/off factor, and the share of days a measurement must cover, to be used.
MIN_ON_DAYS = 2
MIN_COVERAGE = 0.5
LEVEL = forecasting.LEVEL


@dataclass(frozen=True)
class Factor:
    name: str
    values: np.ndarray  # one value per day of the series and of the horizon after it
    indicator: bool
    source: str


@dataclass
class SeriesContext:
    """One series' factors, the ones its validation folds kept, and the context regression built on them."""

    factors: list[Factor]
    base: np.ndarray
    # '' = the regression without any factor, a name = with that factor alone, KEPT = with every kept factor
    validation_mae: dict[str, float] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    def design(self, names: list[str]) -> np.ndarray:
        return np.column_stack([self.base, *(factor.values for factor in self.factors if factor.name in names)])

    def models(self) -> dict:
        return {CONTEXT: partial(context_regression, design=self.design(self.kept))} if self.kept else {}


@dataclass(frozen=True)
class DemandContext:
    series: dict[str, SeriesContext]
    dates: pd.DatetimeIndex  # the series' days (without the horizon)

    def models(self, code: str) -> dict:
        context = self.series.get(code)
        return context.models() if context else {}


# --- the model ----------------------------------------------------------------------------------------------------


def base_design(dates: pd.DatetimeIndex) -> np.ndarray:
    """Weekday indicators (Monday is the reference), a trend in years and, over two years or more, a yearly cycle."""
    weekday = np.asarray(dates.day_of_week)
    columns = [(weekday == day).astype(float) for day in range(1, 7)]
    columns.append(np.arange(len(dates)) / 365.0)
    if len(dates) >= 730:
        angle = 2 * np.pi * np.asarray(dates.day_of_year) / 365.25
        columns += [np.sin(angle), np.cos(angle)]
    return np.column_stack(columns)


def _with_intercept(design: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(design)), design])


def context_regression(
    history: np.ndarray, horizon: int, season: int, level: float | None = LEVEL, *, design: np.ndarray
) -> forecasting.Forecast:
    """Least squares on log1p counts over the last FIT_WINDOW days; `design` holds a row for every day of the series
    and of the horizon after it, so the rows after the history are the forecast days' calendar and context."""
    n = len(history)
    start = max(0, n - FIT_WINDOW)
    x_train, x_future = _with_intercept(design[start:n]), _with_intercept(design[n : n + horizon])
    y = np.log1p(np.asarray(history[start:], dtype=float))
    coefficients, *_ = np.linalg.lstsq(x_train, y, rcond=None)
    log_mean = x_future @ coefficients
    mean = np.maximum(np.expm1(log_mean), 0)
    if level is None:
        return forecasting.Forecast(mean, mean, mean)
    low, high = np.quantile(y - x_train @ coefficients, [(1 - level) / 2, (1 + level) / 2])
    return forecasting.Forecast(mean, np.maximum(np.expm1(log_mean + low), 0), np.maximum(np.expm1(log_mean + high), 0))


# --- factors ------------------------------------------------------------------------------------------------------


def demand_factors(*, dates: pd.DatetimeIndex, area_code: str, zone: str) -> list[Factor]:
    """The area's bank holidays and every imported context series with enough days in the period."""
    loaded = {factor.name: factor for factor in _imported_factors(dates)}
    return [factor for name, factor in _bank_holidays(dates, area_code, zone).items() if name not in loaded] + [
        loaded[name] for name in sorted(loaded)
    ]


def _bank_holidays(dates: pd.DatetimeIndex, area_code: str, zone: str) -> dict[str, Factor]:
    calendar = holiday_calendar(area_code, range(dates[0].year, dates[-1].year + 1), zone)
    values = np.array([day.date() in calendar for day in dates], dtype=float)
    where = f"{calendar.country}{'-' + calendar.subdiv if calendar.subdiv else ''}"
    return {BANK_HOLIDAY: Factor(BANK_HOLIDAY, values, True, f"public holidays of {where} (holidays package)")}


def _imported_factors(dates: pd.DatetimeIndex) -> list[Factor]:
    rows = ContextSeries.objects.filter(date__range=(dates[0].date(), dates[-1].date()))
    frame = pd.DataFrame.from_records(rows.values_list("name", "date", "value"), columns=["name", "date", "value"])
    factors = []
    for name, group in frame.groupby("name"):
        observed = pd.Series(group["value"].to_numpy(), index=pd.DatetimeIndex(group["date"])).reindex(dates)
        indicator = bool(observed.dropna().isin([0.0, 1.0]).all())
        if not indicator and observed.notna().mean() < MIN_COVERAGE:
            continue  # a measurement on a few days only: filling the rest with its mean would invent it
        filled = observed.fillna(0.0 if indicator else observed.mean())
        factors.append(Factor(str(name), filled.to_numpy(dtype=float), indicator, f"import_context series '{name}'"))
    return factors


def series_zone(*, kind: str) -> str:
    """The time zone of the source with the newest day of a kind in the daily rollup (whose bank holidays apply);
    before any rollup, of the newest minute-precision incident."""
    days = DailyCount.objects.filter(level=Level.FORCE, kind=kind).order_by("-day")
    source = days.values_list("source", flat=True).first()
    if source:
        return source_zone(source)
    rows = Incident.objects.filter(kind=kind, time_precision=Incident.Precision.MINUTE).order_by("-occurred_at")
    return rows.values_list("time_zone", flat=True).first() or ""


# --- choosing factors on the validation folds ---------------------------------------------------------------------


def _varies(factor: Factor, length: int) -> str:
    """Why a factor cannot be fitted on the first `length` days, or '' when it can."""
    values = factor.values[:length]
    if factor.indicator:
        on = int(values.sum())
        return "" if min(on, length - on) >= MIN_ON_DAYS else f"fewer than {MIN_ON_DAYS} days on before validation"
    return "" if np.std(values) > 0 else "constant before validation"


def _validation_mae(values: np.ndarray, design: np.ndarray, origins: list[int], horizon: int) -> float:
    errors = [
        np.abs(values[o : o + horizon] - context_regression(values[:o], horizon, 1, None, design=design).mean).mean()
        for o in origins
    ]
    return float(np.mean(errors))


def series_context(*, values: np.ndarray, factors: list[Factor], base: np.ndarray, horizon: int) -> SeriesContext:
    """Each factor tried alone with the regression on the validation folds; kept when it cuts the MAE by MIN_GAIN.
    Factors kept alone are kept together only if together they do at least as well as the best of them alone."""
    context = SeriesContext(factors=factors, base=base)
    validation, test = demand_backtest.split_origins(length=len(values), horizon=horizon)
    if not test:
        return context
    context.validation_mae[""] = _validation_mae(values, base, validation, horizon)
    for factor in factors:
        context.notes[factor.name] = _varies(factor, validation[0])
        if context.notes[factor.name]:
            continue
        context.validation_mae[factor.name] = _validation_mae(
            values, context.design([factor.name]), validation, horizon
        )
        if context.validation_mae[factor.name] <= context.validation_mae[""] * (1 - MIN_GAIN):
            context.kept.append(factor.name)
    if len(context.kept) > 1:
        context.validation_mae[KEPT] = _validation_mae(values, context.design(context.kept), validation, horizon)
        best = min(context.kept, key=context.validation_mae.get)
        if context.validation_mae[KEPT] > context.validation_mae[best]:
            context.kept = [best]
    return context


def demand_context(*, series: dict[str, pd.Series], granularity: str, kind: str) -> DemandContext | None:
    """Every daily series' factors and the factors its validation folds kept; None for hours and weeks."""
    if granularity != "day" or not series:
        return None
    horizon = forecasting.HORIZON[granularity]
    index = next(iter(series.values())).index
    dates = pd.date_range(index[0], periods=len(index) + horizon, freq="D")
    zone, base = series_zone(kind=kind), base_design(dates)
    return DemandContext(
        series={
            code: series_context(
                values=values.to_numpy(dtype=float),
                factors=demand_factors(dates=dates, area_code=code, zone=zone),
                base=base,
                horizon=horizon,
            )
            for code, values in series.items()
        },
        dates=index,
    )


# --- measured effects ---------------------------------------------------------------------------------------------


def factor_effects(*, values: np.ndarray, context: SeriesContext) -> dict[str, dict]:
    """Every fittable factor's effect on the whole series, all factors in one regression with the calendar terms:
    {name: {"effect", "effect_low", "effect_high"}} as shares of daily calls (exp(coefficient) - 1)."""
    import statsmodels.api as sm

    n = len(values)
    fitted = [factor for factor in context.factors if not _varies(factor, n)]
    if not fitted:
        return {}
    design = _with_intercept(np.column_stack([context.base[:n], *(factor.values[:n] for factor in fitted)]))
    model = sm.OLS(np.log1p(values), design).fit(cov_type="HAC", cov_kwds={"maxlags": 7})
    z = stats.norm.ppf(0.5 + LEVEL / 2)
    first = design.shape[1] - len(fitted)
    result = {}
    for offset, factor in enumerate(fitted):
        coefficient, error = model.params[first + offset], model.bse[first + offset]
        bounds = [coefficient - z * error, coefficient + z * error]
        result[factor.name] = {
            "effect": _share(coefficient),
            "effect_low": _share(bounds[0]),
            "effect_high": _share(bounds[1]),
        }
    return result


def _share(coefficient: float) -> float | None:
    return round(float(np.expm1(coefficient)), 4) if np.isfinite(coefficient) else None


def _on_off(values: np.ndarray, factor: Factor) -> dict:
    if not factor.indicator:
        return {}
    on = factor.values[: len(values)] > 0
    means = [round(float(values[mask].mean()), 3) if mask.any() else None for mask in (on, ~on)]
    return {"days_on": int(on.sum()), "mean_on": means[0], "mean_off": means[1]}


@transaction.atomic
def context_effects_store(*, backtest, context: DemandContext | None, series: dict[str, pd.Series], results) -> int:
    """One ContextEffect per series and factor of this backtest; `used` when the series chose the context model."""
    if context is None:
        return 0
    rows = [
        _effect_row(backtest, code, series[code].to_numpy(dtype=float), context, results[code].chosen == CONTEXT)
        for code in results
        if code in context.series
    ]
    objects = ContextEffect.objects.bulk_create([row for group in rows for row in group])
    return len(objects)


def _effect_row(backtest, code: str, values: np.ndarray, context: DemandContext, chosen: bool) -> list:
    own = context.series[code]
    effects = factor_effects(values=values, context=own)
    base_mae = own.validation_mae.get("")
    return [
        ContextEffect(
            backtest=backtest,
            area_code=code,
            borough_code="" if code == "force" else code,
            factor=factor.name,
            source=factor.source[:200],
            indicator=factor.indicator,
            period_start=context.dates[0].date(),
            period_end=context.dates[-1].date(),
            days=len(values),
            **_on_off(values, factor),
            **effects.get(factor.name, {}),
            interval_level=LEVEL,
            validation_mae_without=_rounded(base_mae),
            validation_mae_with=_rounded(own.validation_mae.get(factor.name)),
            improved=factor.name in own.kept,
            used=chosen and factor.name in own.kept,
            note=own.notes.get(factor.name, "")[:200],
        )
        for factor in own.factors
    ]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
