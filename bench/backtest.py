"""Hotspot and demand forecast backtests on whatever data is loaded, each against its naive baselines in the same run.

    DATABASE_URL=postgres://.../dev_x python -m bench.backtest [--category burglary] [--cell 250 | --h3 9]
        [--test-from 2014-01] [--test-to 2014-12] [--boundary FILE] [--load-sample ZIP] [--synthetic-calls]
        [--calls-csv FILE --time-column timeStamp --area-column twp]

Hotspots: every method and the two naive baselines (last period's counts, long-run counts), hit rate and PAI at
1/5/10 % of the study area (squares covering the boundary). --load-sample imports a data.police.uk archive with the
ingestion command first. Demand: rolling-origin MAE/MAPE/MASE per model and granularity (--granularities);
--synthetic-calls inserts two and a half years of Baltimore-like calls (source 'bench', deleted at the end) when
no calls are loaded. --calls-csv backtests demand straight from a calls CSV read with pandas (local wall-clock
times, one area column), without importing it: e.g. the county 911 export in ../shared/data/real/montco-pa-911.
The last line printed is the JSON summary, also written to bench/results/backtest.json.
"""

import argparse
import datetime as dt
import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crimedash.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
django.setup()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from analytics.forecasting import backtest as demand_backtest  # noqa: E402
from analytics.forecasting.demand import FORCE, area_series, demand_backtest_run, series_backtests  # noqa: E402
from analytics.hotspots.grid import H3, SQUARE, boundaries_from_geojson  # noqa: E402
from analytics.hotspots.runs import hotspot_backtest_run  # noqa: E402
from bench._results import results_write  # noqa: E402
from ingestion.models import Incident  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "backtest.json"
DEFAULT_BOUNDARY = Path(__file__).resolve().parents[2] / "shared" / "data" / "london-boroughs.geojson"
DISTRICTS = [
    "NORTHERN",
    "SOUTHERN",
    "EASTERN",
    "WESTERN",
    "CENTRAL",
    "NORTHEAST",
    "NORTHWEST",
    "SOUTHEAST",
    "SOUTHWEST",
]


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--category", default="burglary")
    parser.add_argument("--cell", type=int, default=250)
    parser.add_argument("--h3", type=int, default=None, help="Hotspots: H3 resolution instead of squares.")
    parser.add_argument("--test-from", default=None)
    parser.add_argument("--test-to", default=None)
    parser.add_argument("--boundary", default=str(DEFAULT_BOUNDARY) if DEFAULT_BOUNDARY.exists() else None)
    parser.add_argument("--load-sample", default=None, help="A data.police.uk archive zip to import first.")
    parser.add_argument("--synthetic-calls", action="store_true")
    parser.add_argument("--granularities", default="day,week", help="Demand: any of hour,day,week.")
    parser.add_argument("--calls-csv", default=None, help="Demand: backtest this calls CSV instead of the database.")
    parser.add_argument("--time-column", default="timeStamp")
    parser.add_argument("--area-column", default="twp")
    return parser.parse_known_args()[0]  # `python -m bench backtest` passes module names too


def hotspots(args) -> dict:
    started = time.perf_counter()
    boundaries = boundaries_from_geojson(args.boundary) if args.boundary else None
    run = hotspot_backtest_run(
        category=args.category,
        grid_kind=SQUARE if args.h3 is None else H3,
        size=args.cell if args.h3 is None else args.h3,
        test_from=args.test_from,
        test_to=args.test_to,
        boundaries=boundaries,
    )
    if run is None:
        return {"skipped": "no located incidents"}
    return {key: run.results.get(key) for key in ("methods", "baselines", "periods", "chosen", "hindsight")} | {
        "validation_months": run.results.get("validation_months"),
        "test_months": run.results.get("test_months"),
        "cells": run.cells,
        "best": run.best_method,
        "seconds": round(time.perf_counter() - started, 2),
    }


def synthetic_calls(seed: int = 0, days: int = 913) -> int:
    """Baltimore-like calls: daily and weekly cycles, a yearly swell, holidays, district sizes, overdispersion."""
    rng = np.random.default_rng(seed)
    start = timezone.make_aware(dt.datetime(2022, 1, 3))
    hours = np.arange(days * 24)
    hour_of_day, weekday, day = hours % 24, (hours // 24) % 7, hours // 24
    shape = (1 + 0.65 * np.sin(2 * np.pi * (hour_of_day - 10) / 24)) * np.where(weekday >= 5, 1.15, 1.0)
    shape *= 1 + 0.15 * np.sin(2 * np.pi * (day - 100) / 365.25)
    rows = []
    for d, district in enumerate(DISTRICTS):
        rate = (0.8 + 0.15 * d) * shape * rng.gamma(20, 1 / 20, size=len(hours))
        for hour, count in zip(hours.tolist(), rng.poisson(rate).tolist(), strict=True):
            minutes = rng.integers(60, size=count).tolist()
            rows += [
                _call(f"{district}:{hour}:{i}", district, start + dt.timedelta(hours=hour, minutes=m))
                for i, m in enumerate(minutes)
            ]
    Incident.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _call(key: str, district: str, when: dt.datetime) -> Incident:
    return Incident(
        source="bench",
        source_key=key,
        kind=Incident.Kind.CALL,
        category="disorder",
        occurred_at=when,
        time_precision=Incident.Precision.MINUTE,
        borough_id=f"bal-district:{district}",
        origin=Incident.Origin.PUBLIC_REPORT,
    )


def demand(granularity: str, args) -> dict:
    started = time.perf_counter()
    if args.calls_csv:
        series = area_series(frame=_csv_frame(args), granularity=granularity)
        results = series_backtests(series=series, granularity=granularity)
        if FORCE not in results:
            return {"skipped": "too little history in the CSV"}
        summary = demand_backtest.summarise(results, headline=FORCE, granularity=granularity)
    else:
        run = demand_backtest_run(granularity=granularity)
        if run is None:
            return {"skipped": "no minute-precision calls"}
        summary = run.summary
    return summary | {"seconds": round(time.perf_counter() - started, 2)}


def _csv_frame(args) -> pd.DataFrame:
    """occurred_at (local wall-clock time) and borough_id (the area column) of every row of a calls CSV."""
    frame = pd.read_csv(args.calls_csv, usecols=[args.time_column, args.area_column])
    frame = frame.rename(columns={args.time_column: "occurred_at", args.area_column: "borough_id"})
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    return frame


def main() -> dict:
    args = _arguments()
    if args.load_sample:
        call_command("import_police_uk", args.load_sample, "--json")
    wanted = args.synthetic_calls and not args.calls_csv
    inserted = synthetic_calls() if wanted and not Incident.objects.filter(kind="call").exists() else 0
    try:
        summary = {
            "hotspots": {"skipped": "demand from a CSV only"} if args.calls_csv else hotspots(args),
            "demand": {granularity: demand(granularity, args) for granularity in args.granularities.split(",")},
            "synthetic_calls": inserted,
        }
    finally:
        if inserted:
            Incident.objects.filter(source="bench", kind=Incident.Kind.CALL).delete()
    results_write(RESULTS, summary)
    return summary


if __name__ == "__main__":
    main()
