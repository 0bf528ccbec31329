"""python manage.py backtest hotspots|demand [--json] ...: run a backtest on whatever data is loaded and store it."""

import json

from django.core.management.base import BaseCommand, CommandError

from analytics.forecasting.demand import demand_backtest_run, history_shortfall
from analytics.hotspots.grid import H3, SQUARE, boundaries_from_geojson
from analytics.hotspots.runs import hotspot_backtest_run


class Command(BaseCommand):
    help = (
        "Backtest hotspot forecasts (hit rate, PAI) or demand forecasts (MAE, MAPE, MASE) on the loaded data: "
        "methods are chosen on validation periods and scored on the later test periods."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", choices=["hotspots", "demand"])
        parser.add_argument("--json", action="store_true", help="End with one JSON object on the last line.")
        parser.add_argument("--category", default="", help="Hotspots: one category slug, e.g. burglary.")
        parser.add_argument("--cell", type=int, default=250, help="Hotspots: square side in metres.")
        parser.add_argument("--h3", type=int, default=None, help="Hotspots: H3 resolution instead of squares.")
        parser.add_argument("--test-from", default=None, help="Hotspots: first test month YYYY-MM.")
        parser.add_argument("--test-to", default=None, help="Hotspots: last test month YYYY-MM (default: the last).")
        parser.add_argument("--origin", default="public_report", choices=["public_report", "all"])
        parser.add_argument("--boundary", default=None, help="Hotspots: GeoJSON file of the study area.")
        parser.add_argument("--granularity", default="day", choices=["hour", "day", "week"])
        parser.add_argument("--kind", default="call", help="Demand: incident kind (calls for service by default).")

    def handle(self, *args, **options):
        result = self._hotspots(options) if options["target"] == "hotspots" else self._demand(options)
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(json.dumps(result, indent=2))

    def _hotspots(self, options) -> dict:
        boundaries = boundaries_from_geojson(options["boundary"]) if options["boundary"] else None
        grid_kind, size = (H3, options["h3"]) if options["h3"] is not None else (SQUARE, options["cell"])
        run = hotspot_backtest_run(
            category=options["category"],
            grid_kind=grid_kind,
            size=size,
            test_from=options["test_from"],
            test_to=options["test_to"],
            origin=options["origin"],
            boundaries=boundaries,
        )
        if run is None:
            raise CommandError("No located incidents match: import data first.")
        keys = ("methods", "baselines", "periods", "chosen", "hindsight", "validation_months", "test_months")
        result = {key: run.results.get(key) for key in keys}
        return result | {"best": run.best_method, "cells": run.cells, "grid": f"{grid_kind}-{size}", "id": run.pk}

    def _demand(self, options) -> dict:
        granularity, kind = options["granularity"], options["kind"]
        run = demand_backtest_run(granularity=granularity, kind=kind)
        if run is None:
            shortfall = history_shortfall(granularity=granularity, kind=kind) or "no series has enough history"
            raise CommandError(f"Too little minute-precision demand to backtest: {shortfall}.")
        return run.summary | {"granularity": run.granularity, "id": run.pk}
