import json

from django.core.management.base import BaseCommand

from analytics.trends import trends_detect


class Command(BaseCommand):
    help = "Test every area x category's latest month and week against its history and record emerging-trend alerts."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print one JSON object as the last line.")

    def handle(self, *args, **options):
        result = trends_detect()
        self.stdout.write(
            json.dumps(result) if options["json"] else f"{result['raised']} raised, {result['open']} open"
        )
