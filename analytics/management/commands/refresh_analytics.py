import json

from django.core.management.base import BaseCommand

from analytics.refresh import analytics_refresh
from analytics.trends import trends_detect


class Command(BaseCommand):
    help = (
        "Refresh analytics rollups and results: only what import --run touched; with no option, what the imports "
        "finished since the last refresh touched; --full rebuilds everything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild every rollup from the Incident table.")
        parser.add_argument("--run", type=int, dest="run_id", help="ImportRun id: refresh only its months and areas.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object as the last line.")

    def handle(self, *args, **options):
        refresh = analytics_refresh(run_id=options["run_id"], full=options["full"])
        summary = {
            "full": refresh.full,
            "months": refresh.months,
            "boroughs": refresh.boroughs,
            "rows": refresh.rows,
            "seconds": refresh.seconds,
            "alerts": trends_detect(),
        }
        message = f"Refreshed in {refresh.seconds} s: {summary['rows']}"
        self.stdout.write(json.dumps(summary, sort_keys=True) if options["json"] else message)
