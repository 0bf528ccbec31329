"""What every import command shares: a tqdm progress bar, the end-of-run table and the --json last line."""

import json
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ingestion.readers import InputError, input_files
from ingestion.services import runs_summary

# Rows per byte of a typical CSV row, to turn file sizes into an ETA before the rows are counted.
BYTES_PER_ROW = 160


class ImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="zip archives, folders, .csv or .csv.gz files")
        parser.add_argument("--json", action="store_true", help="print the totals as one JSON object last")
        parser.add_argument("--max-error-rate", type=float, default=None, help="fraction of bad rows that fails a run")

    def import_runs(self, options, progress):
        raise NotImplementedError

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            total = sum(f.size for f in input_files(options["paths"])) // BYTES_PER_ROW
            with tqdm(total=total or None, unit=" rows", unit_scale=True, disable=options["json"]) as bar:
                runs = self.import_runs(options, bar.update)
        except InputError as exc:
            raise CommandError(str(exc)) from None
        summary = runs_summary(runs, time.monotonic() - started)
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(summary_table(runs, summary))
        if summary["status"] == "failed":
            raise CommandError("; ".join(summary["errors"]))


def summary_table(runs, summary) -> str:
    head = f"{'run':>6} {'target':<48} {'read':>10} {'inserted':>10} {'updated':>9} {'dupl.':>9} {'rejected':>9}"
    lines = [head, "-" * len(head)]
    for run in runs:
        lines.append(
            f"{run.pk:>6} {run.target[-48:]:<48} {run.rows_read:>10,} {run.rows_inserted:>10,} "
            f"{run.rows_updated:>9,} {run.rows_duplicate:>9,} {run.rows_rejected:>9,}  {run.status}"
        )
    lines.append(
        f"{'total':>6} {'':<48} {summary['read']:>10,} {summary['inserted']:>10,} {summary['updated']:>9,} "
        f"{summary['duplicates']:>9,} {summary['rejected']:>9,}"
    )
    lines.append(
        f"coordinates dropped: {summary['coordinates_dropped']:,}; fell to 'other': {summary['category_other']:,}; "
        f"keys whose rows disagree: {summary['disagreements']:,}; "
        f"{summary['seconds']} s ({summary['read'] / max(summary['seconds'], 0.001):,.0f} rows/s)"
    )
    if summary["unmapped"]:
        words = "; ".join(f"{item['description'] or '(blank)'} ({item['count']:,})" for item in summary["unmapped"])
        lines.append(f"commonest descriptions in 'other' (category overrides can name them): {words}")
    return "\n".join(lines)
