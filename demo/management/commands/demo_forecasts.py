from django.core.management.base import BaseCommand

from demo.forecasts import demo_forecasts_done, demo_forecasts_run
from demo.tasks import demo_forecasts


class Command(BaseCommand):
    help = "Run the demo's forecasting chain (hotspots, forecasts, plans, the pilot), or hand it to the worker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="send it to the Celery worker, unless it has already run"
        )

    def handle(self, *args, enqueue: bool, **options):
        if not enqueue:
            self.stdout.write(str(demo_forecasts_run()))
        elif demo_forecasts_done():
            self.stdout.write("The demo's forecasting chain has already run: nothing sent to the worker.")
        else:
            demo_forecasts.delay()
            self.stdout.write(
                "The demo's forecasting chain is with the worker: hotspots, forecasts, plans and the pilot appear "
                "when it finishes (var/celery.log)."
            )
