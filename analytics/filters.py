"""The filters every analytics selector takes, parsed by the dashboards and the API from query parameters."""

import datetime as dt
from dataclasses import asdict, dataclass

from analytics.models import Level

LEVELS = {choice.value for choice in Level}


@dataclass(frozen=True)
class AnalyticsFilters:
    """date_from/date_to are inclusive (months are matched by their first day); empty tuples mean 'all'.

    `areas` matches an area code at `level` or a borough code (so a borough picks its LSOAs at level 'lsoa').
    `reported_only` keeps public reports only: the default for rankings that drive deployment.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    areas: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    level: str = Level.BOROUGH.value
    reported_only: bool = False

    def key(self) -> dict:
        """A JSON-able form for cache keys."""
        return asdict(self)

    @classmethod
    def from_query(cls, params) -> "AnalyticsFilters":
        """From a QueryDict or dict: date_from, date_to (YYYY-MM or YYYY-MM-DD), area, category, source, kind
        (repeated or comma-separated), level, reported_only. Bad values are ignored rather than failing a page."""
        level = _single(params, "level")
        return cls(
            date_from=parse_date(_single(params, "date_from")),
            date_to=parse_date(_single(params, "date_to"), end=True),
            areas=_multi(params, "area"),
            categories=_multi(params, "category"),
            sources=_multi(params, "source"),
            kinds=_multi(params, "kind"),
            level=level if level in LEVELS else Level.BOROUGH.value,
            reported_only=_single(params, "reported_only").lower() in {"1", "true", "yes", "on"},
        )


def parse_date(text: str, *, end: bool = False) -> dt.date | None:
    """'2024-03' -> 2024-03-01 (or 2024-03-31 with end=True); '2024-03-15' -> that day; anything else -> None."""
    try:
        if len(text) == 7:
            first = dt.date.fromisoformat(text + "-01")
            return month_end(first) if end else first
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def month_end(month: dt.date | None) -> dt.date | None:
    """The last day of `month`'s month."""
    if month is None:
        return None
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _single(params, name: str) -> str:
    value = params.get(name) or ""
    return value.strip() if isinstance(value, str) else ""


def _multi(params, name: str) -> tuple[str, ...]:
    values = params.getlist(name) if hasattr(params, "getlist") else params.get(name) or []
    if isinstance(values, str):
        values = [values]
    return tuple(sorted({item.strip() for value in values for item in value.split(",") if item.strip()}))
