"""python manage.py fetch_police_uk [--areas CODE ...] [--months YYYY-MM ...] [--base-url URL] [--json]

Areas default to POLICE_UK_AREAS (the five case-study boroughs); their boundaries must be imported first
(`import_reference boundaries`). Months default to the latest month the API publishes (two months ago).
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from ingestion import conf
from ingestion.services import runs_summary
from ingestion.sources.police_uk.api import default_months, police_uk_fetch
from ingestion.sources.police_uk.client import PoliceApiClient, PoliceApiError


class Command(BaseCommand):
    help = "Fetch street crimes, unlocated crimes and outcomes from the data.police.uk API for areas and months."

    def add_arguments(self, parser):
        parser.add_argument("--areas", nargs="+", default=None, help="Borough GSS codes (default: POLICE_UK_AREAS).")
        parser.add_argument("--months", nargs="+", default=None, help="YYYY-MM (default: the latest published).")
        parser.add_argument("--base-url", default="", help="API base URL (default: POLICE_UK_API_URL).")
        parser.add_argument("--outcome-limit", type=int, default=1000, help="Most outcomes-for-crime lookups.")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the totals as one JSON line.")

    def handle(self, *args, areas, months, base_url, outcome_limit, as_json, **options):
        client = PoliceApiClient(base_url=base_url)
        started = time.monotonic()
        try:
            runs = police_uk_fetch(
                client=client,
                areas=areas or conf.POLICE_UK_AREAS,
                months=months or default_months(),
                outcome_limit=outcome_limit,
            )
        except PoliceApiError as error:
            raise CommandError(f"data.police.uk fetch failed (runs already finished are kept): {error}") from None
        summary = runs_summary(runs, time.monotonic() - started) | {
            "requests": client.requests_made,
            "splits": client.splits,
        }
        self.stdout.write(json.dumps(summary) if as_json else "  ".join(f"{k}={v}" for k, v in summary.items()))
