import json

from django.core.management.base import BaseCommand

from analytics.refresh import analytics_refresh
from analytics.trends import trends_detect


class Command(BaseCommand):
    help = "Refresh analytics rollups and results: after an import (--run) only what it touched; --full rebuilds all."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild every rollup from the Incident table.")
        parser.add_argument("--run", type=int, dest="run_id", help="ImportRun id: refresh only its months and areas.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object as the last line.")

    def handle(self, *args, full: bool, run_id: int | None, json: bool = False, **options):
        refresh = analytics_refresh(run_id=run_id, full=full or run_id is None)
        summary = {
            "full": refresh.full,
            "months": refresh.months,
            "boroughs": refresh.boroughs,
            "rows": refresh.rows,
            "seconds": refresh.seconds,
            "alerts": trends_detect(),
        }
        self.stdout.write(_dumps(summary) if json else f"Refreshed in {refresh.seconds} s: {summary['rows']}")


def _dumps(summary: dict) -> str:
    return json.dumps(summary, sort_keys=True)
