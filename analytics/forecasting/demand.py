"""Demand forecasting services: per-area call series, backtests that choose each area's model on validation folds
and score it on later test folds, and forecasts from each area's chosen model, stored with its test accuracy.
Bulk reads of Incident happen here, inside tasks and commands."""

import datetime as dt

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from analytics.forecasting import backtest as demand_backtest
from analytics.forecasting import context as forecast_context
from analytics.forecasting import methods as forecasting
from analytics.models import DemandBacktest, DemandBacktestScore, DemandForecast
from ingestion.localtime import zone_info
from ingestion.models import Incident

FORCE = "force"
# Four weeks without a single call split a series: only the stretch after the gap is forecast.
GAP_PERIODS = {"hour": 24 * 28, "day": 28, "week": 4}
NOUNS = {"call": "calls", "crime": "crimes"}
ADJECTIVES = {"hour": "hourly", "day": "daily", "week": "weekly"}
PERIOD_DAYS = {"hour": 1 / 24, "day": 1, "week": 7}
CHART_HISTORY = {"hour": 168 * 2, "day": 8 * 7, "week": 52}
GRANULARITIES = ("hour", "day", "week")


def demand_frame(*, kind: str = "call") -> pd.DataFrame:
    """Minute-precision incidents of a kind (calls for service by default): occurred_at as the wall time of the
    source's own zone (a day is the source's local day) and borough code."""
    rows = Incident.objects.filter(kind=kind, time_precision=Incident.Precision.MINUTE)
    records = rows.values_list("occurred_at", "time_zone", "borough_id").iterator(chunk_size=50_000)
    frame = pd.DataFrame.from_records(records, columns=["occurred_at", "time_zone", "borough_id"])
    if not frame.empty:
        frame["occurred_at"] = _wall_times(frame.pop("time_zone"), pd.DatetimeIndex(frame["occurred_at"]))
    return frame


def _wall_times(zones: pd.Series, moments: pd.DatetimeIndex) -> pd.Series:
    local = pd.Series(pd.NaT, index=zones.index, dtype=moments.tz_localize(None).dtype)
    for zone, rows in zones.groupby(zones).indices.items():
        local.iloc[rows] = moments[rows].tz_convert(zone_info(zone)).tz_localize(None)
    return local


def area_series(*, frame: pd.DataFrame, granularity: str) -> dict[str, pd.Series]:
    """Complete periods per borough and for the force, all on the same index; the last (partial) period is dropped."""
    if frame.empty:
        return {}
    folds = demand_backtest.VALIDATION_FOLDS + demand_backtest.TEST_FOLDS
    window = forecasting.HISTORY[granularity] + forecasting.HORIZON[granularity] * folds
    force = forecasting.regular_series(timestamps=frame["occurred_at"], granularity=granularity).iloc[:-1]
    index = _after_last_gap(force, GAP_PERIODS[granularity]).index[-window:]
    if index.empty:
        return {}
    series = {FORCE: force.loc[index]}
    for code, group in frame.dropna(subset=["borough_id"]).groupby("borough_id"):
        counts = forecasting.regular_series(
            timestamps=group["occurred_at"], granularity=granularity, start=index[0], end=index[-1]
        )
        counts = counts.reindex(index, fill_value=0)
        if counts.any():
            series[code] = counts
    return series


def _after_last_gap(series: pd.Series, gap: int) -> pd.Series:
    """The stretch after the last run of `gap` or more empty periods: a source that stopped years before another
    began (two exports side by side) would otherwise make one series of mostly zeros."""
    empty = (series == 0).to_numpy()
    runs = np.cumsum(empty) - np.maximum.accumulate(np.where(empty, 0, np.cumsum(empty)))
    ends = np.flatnonzero(runs >= gap)
    return series.iloc[ends[-1] + 1 :] if len(ends) else series


def _season_horizon(granularity: str) -> tuple[int, int]:
    return forecasting.SEASON[granularity], forecasting.HORIZON[granularity]


def demand_backtest_run(
    *, granularity: str = "day", kind: str = "call", series=None, context=None
) -> DemandBacktest | None:
    """Per series, a model chosen on validation folds and scored on the later test folds (every model on the force's
    series); stores the scores, the summary and the context factors' effects. None when the history is too short
    (see history_shortfall)."""
    series = area_series(frame=demand_frame(kind=kind), granularity=granularity) if series is None else series
    if context is None:
        context = forecast_context.demand_context(series=series, granularity=granularity, kind=kind)
    results = series_backtests(series=series, granularity=granularity, context=context)
    if FORCE not in results:
        return None
    summary = demand_backtest.summarise(results, headline=FORCE, granularity=granularity)
    backtest = _store_backtest(granularity=granularity, kind=kind, summary=summary, results=results)
    forecast_context.context_effects_store(backtest=backtest, context=context, series=series, results=results)
    return backtest


def series_backtests(
    *, series: dict[str, pd.Series], granularity: str, context=None
) -> dict[str, demand_backtest.SeriesBacktest]:
    """Each series' backtest (every model reported on the force's), with its context regression among the candidates
    when its validation folds kept a factor; series too short for one are left out."""
    season, horizon = _season_horizon(granularity)
    results = {
        code: demand_backtest.series_backtest(
            series=values.to_numpy(),
            horizon=horizon,
            season=season,
            report_all=code == FORCE,
            extra=context.models(code) if context else None,
        )
        for code, values in series.items()
    }
    return {code: result for code, result in results.items() if result is not None}


def history_shortfall(*, granularity: str = "day", kind: str = "call") -> str | None:
    """What a backtest of this granularity needs and what there is, in words; None when there is enough."""
    series = area_series(frame=demand_frame(kind=kind), granularity=granularity).get(FORCE)
    has = 0 if series is None else len(series)
    needs = demand_backtest.min_history(horizon=forecasting.HORIZON[granularity])
    if has >= needs:
        return None
    noun = NOUNS.get(kind, "incidents")
    return f"needs {_span(needs, granularity)} of {ADJECTIVES[granularity]} {noun}; has {_span(has, granularity)}"


def _span(periods: int, granularity: str) -> str:
    """A number of periods as weeks when whole weeks, else days (hours below one day)."""
    days = periods * PERIOD_DAYS[granularity]
    if days >= 7 and days % 7 == 0:
        return _plural(int(days // 7), "week")
    return _plural(int(days), "day") if days >= 1 else _plural(periods, "hour")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


@transaction.atomic
def _store_backtest(*, granularity: str, kind: str, summary: dict, results: dict) -> DemandBacktest:
    backtest = DemandBacktest.objects.create(
        granularity=granularity, kind=kind, baseline=summary["baseline"], chosen=summary["chosen"], summary=summary
    )
    DemandBacktestScore.objects.bulk_create(
        DemandBacktestScore(
            backtest=backtest,
            area_code=code,
            borough_code="" if code == FORCE else code,
            model=model,
            chosen=model == result.chosen,
            validation_mase=result.validation.get(model),
            coverage=score["coverage"],
            mae=score["mae"],
            mape=score["mape"],
            mase=score["mase"],
            folds=score["folds"],
        )
        for code, result in results.items()
        for model, score in result.test.items()
    )
    return backtest


def demand_forecasts_refresh(*, granularity: str = "day", kind: str = "call") -> DemandBacktest | None:
    """Backtest, then forecast every area with the chosen model; replaces the stored forecasts of this granularity."""
    series = area_series(frame=demand_frame(kind=kind), granularity=granularity)
    context = forecast_context.demand_context(series=series, granularity=granularity, kind=kind)
    backtest = demand_backtest_run(granularity=granularity, kind=kind, series=series, context=context)
    if backtest is None:
        return None
    accuracy = {score.area_code: score for score in backtest.scores.filter(chosen=True)}
    forecasts = [
        _forecast(code, values, granularity, kind, backtest, accuracy[code], context.models(code) if context else None)
        for code, values in series.items()
        if code in accuracy
    ]
    with transaction.atomic():
        DemandForecast.objects.filter(granularity=granularity, kind=kind).delete()
        DemandForecast.objects.bulk_create(forecasts)
    return backtest


def _forecast(code: str, values: pd.Series, granularity: str, kind: str, backtest, score, extra) -> DemandForecast:
    """The area's chosen model fitted on all its history, carrying that model's test-fold accuracy."""
    season, horizon = _season_horizon(granularity)
    season = forecasting.effective_season(length=len(values), season=season, horizon=horizon)
    result = forecasting.forecast(
        model=score.model, history=values.to_numpy(), horizon=horizon, season=season, extra=extra
    )
    step = values.index[-1] - values.index[-2]
    starts = [values.index[-1] + step * (i + 1) for i in range(horizon)]
    recent = values.iloc[-CHART_HISTORY[granularity] :]
    return DemandForecast(
        area_code=code,
        borough_code="" if code == FORCE else code,
        granularity=granularity,
        kind=kind,
        model=score.model,
        interval_level=forecasting.LEVEL,
        issued_at=_aware(values.index[-1] + step),
        points=[_point(start, result, i) for i, start in enumerate(starts)],
        history=[{"start": start.isoformat(), "y": float(y)} for start, y in recent.items()],
        mae=score.mae,
        mape=score.mape,
        mase=score.mase,
        backtest=backtest,
    )


def _point(start: pd.Timestamp, result: forecasting.Forecast, i: int) -> dict:
    return {
        "start": start.isoformat(),
        "yhat": round(float(result.mean[i]), 3),
        "lower": round(float(result.lower[i]), 3),
        "upper": round(float(result.upper[i]), 3),
    }


def _aware(moment: pd.Timestamp) -> dt.datetime:
    return timezone.make_aware(moment.to_pydatetime(), timezone.get_current_timezone())
