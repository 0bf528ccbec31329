"""/about-the-models/: what the system does and does not do, from what data, with which models and how accurate
they measured, the latest bias report, and the privacy and retention rules, every figure read from what is stored
or configured (the backtests, the import runs, the settings), none written in by hand."""

import shutil
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Count, Max, Min, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.scoping import area_codes_visible_to
from analytics import conf
from analytics.forecasting import backtest as demand_backtest
from analytics.forecasting import context as forecast_context
from analytics.forecasting import methods as forecasting
from analytics.forecasting import selectors as forecasting_selectors
from analytics.forecasting.context_selectors import context_effect_list
from analytics.forecasting.demand import GRANULARITIES
from analytics.hotspots import backtest as hotspot_backtest
from analytics.models import AreaMonthTotal, ContextSeries, HotspotRun, Level
from analytics.privacy import small_count_guard
from dashboards.context_effects import effect_words, factor_label, validation_words
from dashboards.labels import source_label
from ingestion.models import ImportRun

DEMAND_WORDS = {
    forecasting.SEASONAL_NAIVE: "repeats the value one season before (last week's day, last week's hour, last year's "
    "week): the baseline every other model must beat",
    forecasting.SEASONAL_MEAN: "the mean of the same position over the last 4 seasons",
    forecasting.SEASONAL_MEAN_LONG: "the mean of the same position over the last 8 seasons",
    forecasting.SEASONAL_MEDIAN: "the median of the same position over the last 8 seasons",
    forecasting.ETS: "additive Holt-Winters exponential smoothing with a damped trend, on log counts",
    forecasting.GBM: "gradient-boosted trees on the calendar and earlier seasons' values",
    forecast_context.CONTEXT: "a log-linear regression on weekday, trend and the context factors (bank holidays, "
    "school terms, weather, events) that cut its error on the validation weeks",
}
HOTSPOT_WORDS = {
    HotspotRun.Method.COUNTS: "cells ranked by their count of past incidents",
    HotspotRun.Method.KDE: "kernel density: past incidents smoothed over neighbouring cells",
    HotspotRun.Method.GI_STAR: "Getis-Ord Gi*: cells whose neighbourhood is significantly busier than the area's",
    HotspotRun.Method.PROSPECTIVE: "near-repeat: recent incidents weigh more and spread to nearby cells",
    HotspotRun.Method.NEAR_REPEAT: "each cell's long-run rate shrunk towards its neighbourhood's, plus a boost from "
    "the last months' incidents close by (near repeats)",
    hotspot_backtest.LAST_PERIOD: "baseline: last month's counts",
    hotspot_backtest.LONG_RUN: "baseline: long-run counts over every past month",
    hotspot_backtest.BLEND: "a blend of recent and long-run counts",
}
GRANULARITY_WORDS = {"hour": "hourly", "day": "daily", "week": "weekly"}


def _date(value) -> str:
    return f"{value:%d %b %Y}" if value else "–"


def _moment(value) -> str:
    return f"{timezone.localtime(value):%d %b %Y %H:%M %Z}" if value else "–"


# --- what it does and does not do --------------------------------------------------------------------------------


def scope_statements() -> dict:
    threshold = conf.SUPPRESSION_THRESHOLD
    return {
        "does": [
            "Counts recorded crime, calls for service and other incidents by area and period, from the forces' own "
            "exports and the published police.uk data.",
            "Forecasts how many calls an area will receive per hour, day and week, with a prediction interval, and "
            "where crime is likely to concentrate on a map grid.",
            "Proposes how to spread available units over areas and shifts, and reports how those units compare with "
            "reported demand across deprivation deciles.",
            "Tracks investigation tasks against their statutory and policy deadlines.",
        ],
        "does_not": [
            "It makes no prediction about any individual: it forecasts counts for areas and periods, never people, "
            "and no person's record is scored, ranked or flagged by a model.",
            "It does not decide: forecasts and plans are advice that a commander accepts or not.",
            f"It does not show counts from 1 to {threshold - 1} to roles without analyst access: small numbers "
            "could identify people.",
            "It does not see crime that is not reported or recorded: areas patrolled more record more, which the "
            "bias report below measures.",
        ],
    }


# --- data sources ------------------------------------------------------------------------------------------------


def source_list(*, user) -> list[dict]:
    """Each source's imports (first, last, rows) and the months its records cover in the user's scope."""
    guard = small_count_guard(user=user)
    runs = (
        ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED)
        .values("source")
        .annotate(
            runs=Count("id"),
            first=Min("started_at"),
            last=Max("finished_at"),
            rows=Sum("rows_inserted") + Sum("rows_updated"),
        )
        .order_by("source")
    )
    months = _months_by_source(user)
    return [
        {
            "source": run["source"],
            "label": source_label(run["source"]),
            "runs": run["runs"],
            "first_import": _moment(run["first"]),
            "last_import": _moment(run["last"]),
            "rows": _count(guard, run["rows"]),
            "from": _date(months.get(run["source"], {}).get("first")),
            "to": _date(months.get(run["source"], {}).get("last")),
            "incidents": _count(guard, months.get(run["source"], {}).get("count")),
        }
        for run in runs
    ]


def _count(guard, value) -> str:
    """A count in words: '–' when there is none, 'fewer than N' when it is too small for the user to see."""
    if value is None:
        return "–"
    shown = guard(value)
    return f"{shown:,}" if shown is not None else f"fewer than {conf.SUPPRESSION_THRESHOLD}"


def _months_by_source(user) -> dict[str, dict]:
    codes = area_codes_visible_to(user=user)
    scope = Q(level=Level.FORCE) if codes is None else Q(level=Level.BOROUGH, area_code__in=sorted(codes))
    rows = AreaMonthTotal.objects.filter(scope).values("source")
    rows = rows.annotate(first=Min("month"), last=Max("month"), count=Sum("count")).order_by()
    return {row["source"]: row for row in rows}


def context_source_list() -> list[dict]:
    """Each context series loaded with import_context: its days and dates (no incident counts)."""
    rows = ContextSeries.objects.values("name").annotate(days=Count("id"), first=Min("date"), last=Max("date"))
    return [
        {"name": row["name"], "days": row["days"], "from": _date(row["first"]), "to": _date(row["last"])}
        for row in rows.order_by("name")
    ]


# --- models and their measured accuracy --------------------------------------------------------------------------


def _number(value, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def _percent(value) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "–"


def demand_model_tables(*, user) -> list[dict]:
    """Per granularity, the newest backtest's models on the whole force's test folds, the choice and the baseline."""
    tables = []
    for granularity in GRANULARITIES:
        result = forecasting_selectors.demand_backtest_latest(user=user, granularity=granularity)
        if result:
            tables.append(_demand_table(granularity, result))
    return tables


def _demand_table(granularity: str, result: dict) -> dict:
    headline, folds = result.get("headline", {}), result.get("folds", {})
    low, high = headline.get("mae_cut_interval") or [None, None]
    level = _level(headline.get("interval_level"))
    rows = [
        {
            "model": name,
            "words": DEMAND_WORDS.get(name, ""),
            "mase": _number(scores.get("mase")),
            "mape": _number(scores.get("mape"), 1),
            "mae": _number(scores.get("mae")),
            "chosen": name == result.get("chosen"),
            "baseline": name == result.get("baseline"),
        }
        for name, scores in sorted(result.get("models", {}).items(), key=lambda item: item[1].get("mase") or 9e9)
    ]
    return {
        "granularity": granularity,
        "title": f"{GRANULARITY_WORDS[granularity].capitalize()} calls for service, whole force",
        "rows": rows,
        "area_choices": result.get("areas", {}).get("chosen", {}),
        "summary": (
            f"Chosen on {folds.get('validation', '–')} validation periods, scored on the {folds.get('test', '–')} "
            f"test periods after them: {_cut_words(result, headline, low, high)}; "
            f"{_percent(headline.get('coverage'))} of test periods fell inside its {level} prediction interval."
        ),
        "created_at": result.get("created_at"),
    }


def _level(value) -> str:
    return f"{value:.0%}" if isinstance(value, int | float) else "–"


def _cut_words(result: dict, headline: dict, low, high) -> str:
    if headline.get("model") == result.get("baseline"):
        return f"no model beat the baseline {result.get('baseline')} on the validation periods, so it is used"
    return (
        f"{headline.get('model')} cuts the error of {result.get('baseline')} by {_percent(headline.get('mae_cut'))} "
        f"({_level(headline.get('interval_level'))} interval {_percent(low)} to {_percent(high)})"
    )


def forecast_model_list(*, user) -> list[str]:
    """The models the stored forecasts in scope use now."""
    forecasts = forecasting_selectors.demand_forecast_queryset(user=user)
    return sorted(set(forecasts.values_list("model", flat=True)))


def hotspot_model_table(*, user) -> dict | None:
    result = forecasting_selectors.hotspot_backtest_latest(user=user)
    if result is None:
        return None
    chosen = (result.get("chosen") or {}).get("method") or result.get("best_method")
    rows = [
        {
            "model": name,
            "words": HOTSPOT_WORDS.get(name, ""),
            "hit_rate": _percent(scores.get("hit_rate", {}).get("5")),
            "pai": _number(scores.get("pai", {}).get("5")),
            "chosen": name == chosen,
            "baseline": name in result.get("baselines", []),
        }
        for name, scores in result.get("methods", {}).items()
    ]
    test = result.get("test_months") or []
    period = f"{test[0]} to {test[-1]}" if test else f"from {result.get('test_from')}"
    return {"rows": rows, "period": period, "grid": result.get("grid"), "created_at": result.get("created_at")}


def hotspot_run_methods(*, user) -> list[dict]:
    """Every method the hotspot maps were drawn with (their runs are force-wide metadata)."""
    methods = sorted({run["method"] for run in forecasting_selectors.hotspot_run_list(user=user, limit=200)})
    return [{"model": method, "words": HOTSPOT_WORDS.get(method, "")} for method in methods]


def context_factor_list(*, user) -> list[dict]:
    """The force's context factors (a local role's own areas' otherwise), in the analytical page's words."""
    effects = (context_effect_list(user=user) or {}).get("effects", [])
    rows = [row for row in effects if row["area_code"] == "force"] or effects
    return [
        {
            "area": row["area_name"],
            "factor": factor_label(row["factor"]),
            "source": row["source"],
            "period": f"{_date(row['period_start'])} to {_date(row['period_end'])}",
            "effect": effect_words(row),
            "verdict": validation_words(row),
        }
        for row in rows
    ]


# --- bias, privacy, retention --------------------------------------------------------------------------------------


def bias_summary(*, user) -> dict | None:
    report = forecasting_selectors.bias_report_latest(user=user)
    if report is None:
        return None
    summary, drift = report.get("summary") or {}, (report.get("summary") or {}).get("drift") or {}
    return {
        "created_at": report["created_at"],
        "area": report["borough_code"] or "whole force",
        "deciles": [
            {
                "decile": row.get("decile") if row.get("decile") is not None else "no decile",
                "demand_share": _percent(row.get("demand_share")),
                "units_share": _percent(row.get("units_share")),
                "ratio": _number(row.get("ratio")),
            }
            for row in report["by_decile"]
        ],
        "max_ratio": _number(summary.get("max_ratio")),
        "min_ratio": _number(summary.get("min_ratio")),
        "drift": {basis: _percent(value) for basis, value in drift.items()},
    }


def privacy_rules() -> list[dict]:
    return [
        {
            "rule": "Small-count suppression",
            "value": f"counts from 1 to {conf.SUPPRESSION_THRESHOLD - 1} hidden",
            "detail": "from every role without analyst access, on pages, exports and the API "
            f"(ANALYTICS_SUPPRESSION_THRESHOLD = {conf.SUPPRESSION_THRESHOLD})",
        },
        {
            "rule": "Rates need residents",
            "value": f"no rate for areas under {conf.MIN_POPULATION} residents",
            "detail": f"and a rate from fewer than {conf.UNSTABLE_COUNT} events is marked unstable",
        },
        {
            "rule": "Audit records",
            "value": f"kept {settings.AUDIT_RETENTION_DAYS} days",
            "detail": f"purged daily after that; never fewer than {settings.AUDIT_RETENTION_FLOOR_DAYS} days, the "
            "force's legal minimum, whatever a command or schedule asks",
        },
        {
            "rule": "API tokens",
            "value": f"expire after {settings.API_TOKEN_TTL_DAYS} days",
            "detail": "an administrator issues a new one",
        },
        {
            "rule": "Sessions",
            "value": f"end after {settings.SESSION_IDLE_TIMEOUT // 60} minutes idle",
            "detail": f"and {settings.SESSION_ABSOLUTE_TIMEOUT // 3600} hours after sign-in at the latest",
        },
    ]


def transparency_context(*, user) -> dict:
    return {
        "statements": scope_statements(),
        "sources": source_list(user=user),
        "context_sources": context_source_list(),
        "demand_tables": demand_model_tables(user=user),
        "forecast_models": forecast_model_list(user=user),
        "hotspot_table": hotspot_model_table(user=user),
        "hotspot_methods": hotspot_run_methods(user=user),
        "context_factors": context_factor_list(user=user),
        "context_min_gain": f"{forecast_context.MIN_GAIN:.0%}",
        "bias": bias_summary(user=user),
        "rules": privacy_rules(),
        "suppression_threshold": conf.SUPPRESSION_THRESHOLD,
        "validation_folds": demand_backtest.VALIDATION_FOLDS,
        "time_zone": settings.TIME_ZONE,
        "generated_at": _moment(timezone.now()),
    }


PUBLISHED_STATIC = ("css/crimedash.css", "img/favicon.svg")


def publish(*, user, out: Path) -> list[Path]:
    """The page as static HTML in `out`, with `user`'s figures, rendered without a request (so for no reader: no
    menu or user box), and the static files it links, at the same paths under `out`."""
    html = render_to_string("dashboards/about_the_models.html", transparency_context(user=user))
    page = out / "about-the-models" / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(html, encoding="utf-8")
    written = [page]
    for name in PUBLISHED_STATIC:
        target = out / settings.STATIC_URL.strip("/") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(finders.find(name), target)
        written.append(target)
    return written
