"""Free-text call descriptions -> category slugs, by the pattern table in ingestion/data/call_taxonomy.csv.

The table, not code, holds the knowledge: analysts add a spelling variant by adding a pattern. What matches no
pattern is "other", and the loader counts those (with their descriptions) in ImportRun.stats.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

TAXONOMY_FILE = Path(__file__).parent / "data" / "call_taxonomy.csv"
OTHER = "other"
_NON_WORD = re.compile(r"[^A-Z0-9]+")


@lru_cache(maxsize=4)
def _patterns(path: Path = TAXONOMY_FILE) -> tuple[tuple[re.Pattern, str], ...]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["pattern"] and not r["pattern"].startswith("#")]
    return tuple((re.compile(r["pattern"]), r["category"].strip()) for r in rows)


def normalised(description: str) -> str:
    """'*PROTECTIVE ORD' -> 'PROTECTIVE ORD'; '911/NO  VOICE' -> '911 NO VOICE'."""
    return _NON_WORD.sub(" ", description.upper()).strip()


@lru_cache(maxsize=65_536)
def call_category(description: str) -> str:
    text = normalised(description)
    for pattern, category in _patterns():
        if pattern.search(text):
            return category
    return OTHER


def categories() -> list[str]:
    return sorted({category for _, category in _patterns()} | {OTHER})
