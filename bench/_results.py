"""The one way a benchmark leaves its result: a JSON file under bench/results/ and, as the run's last line, the same
JSON on standard output (bench/__main__.py runs them one after another)."""

import json
from pathlib import Path


def results_write(path: Path, summary: dict, *, echo: bool = True) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2) + "\n")
    if echo:
        print(json.dumps(summary))
    return summary
