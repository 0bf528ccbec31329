"""Free-text call descriptions -> category slugs, and what each category is: its label and its demand group.

Tables, not code, hold the knowledge: ingestion/data/call_taxonomy.csv maps descriptions to categories by pattern
(analysts add a spelling variant by adding a pattern), ingestion/data/categories.csv gives every category its label
and demand group. A force's own words are CategoryOverride rows (raw description -> category), applied before the
patterns. What matches nothing is "other", and the loader counts those (with their descriptions) in ImportRun.stats.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ingestion.models import CategoryOverride

DATA = Path(__file__).parent / "data"
TAXONOMY_FILE = DATA / "call_taxonomy.csv"
CATEGORIES_FILE = DATA / "categories.csv"
OTHER = "other"
DEMAND_GROUPS = {"police": "Police", "medical": "Medical", "fire": "Fire", "traffic": "Traffic",
                 "proactive": "Proactive (self-initiated)"}  # fmt: skip
_NON_WORD = re.compile(r"[^A-Z0-9]+")


def _table(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        # a row whose first cell starts with '#' is a comment
        return [row for row in csv.DictReader(fh) if not (next(iter(row.values())) or "#").startswith("#")]


@lru_cache(maxsize=4)
def _patterns(path: Path = TAXONOMY_FILE) -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(r["pattern"]), r["category"].strip()) for r in _table(path))


@lru_cache(maxsize=1)
def _categories() -> dict[str, dict]:
    return {row["category"]: row for row in _table(CATEGORIES_FILE)}


def normalised(description: str) -> str:
    """'*PROTECTIVE ORD' -> 'PROTECTIVE ORD'; '911/NO  VOICE' -> '911 NO VOICE'."""
    return _NON_WORD.sub(" ", description.upper()).strip()


@lru_cache(maxsize=65_536)
def call_category(description: str) -> str:
    """The shipped taxonomy's category of a description (no overrides)."""
    text = normalised(description)
    for pattern, category in _patterns():
        if pattern.search(text):
            return category
    return OTHER


def categories() -> list[str]:
    """Every category a description or a police.uk crime type can end in."""
    return sorted({category for _, category in _patterns()} | set(_categories()) | {OTHER})


def category_label(category: str) -> str:
    """Human label of a category slug: 'theft-from-the-person' -> 'Theft from the person'."""
    row = _categories().get(category)
    return row["label"] if row else category.replace("-", " ").capitalize()


def demand_group(category: str) -> str:
    """police, medical, fire, traffic or proactive: which demand a category is (unknown categories are police)."""
    row = _categories().get(category)
    return row["demand_group"] if row else "police"


def categories_in_group(group: str) -> list[str]:
    """The categories of one demand group, to filter incidents or rollups by it."""
    return sorted(category for category in categories() if demand_group(category) == group)


def override_table(*, source: str) -> dict[str, str]:
    """A force's own words for `source` (overrides for every source first, the source's own winning)."""
    rows = CategoryOverride.objects.filter(source__in=["", source]).order_by("source")
    return {normalised(row.raw_description): row.category for row in rows}


def categoriser(*, source: str) -> Callable[[str], str]:
    """description -> category for one source: its overrides first, then the shipped patterns."""
    overrides = override_table(source=source)

    def category(description: str) -> str:
        return overrides.get(normalised(description)) or call_category(description)

    return category
