"""Small-number suppression: counts from 1 to threshold-1 are hidden from roles without analyst access.

Every selector passes its counts through `small_count_guard` (or `suppress_rows`), so one rule holds everywhere.
"""

from collections.abc import Callable, Iterable

from analytics import conf

ANALYST_PERMISSION = "dashboards.view_analytical"


def sees_small_counts(*, user) -> bool:
    return bool(user and user.has_perm(ANALYST_PERMISSION))


def is_small(value, threshold: int | None = None) -> bool:
    limit = conf.SUPPRESSION_THRESHOLD if threshold is None else threshold
    return value is not None and 0 < value < limit


def small_count_guard(*, user) -> Callable:
    """A function value -> value, or None when the user may not see that small a count."""
    if sees_small_counts(user=user):
        return lambda value: value
    return lambda value: None if is_small(value) else value


def suppress_rows(rows: Iterable[dict], *, user, count_field: str = "count", derived: tuple[str, ...] = ()) -> list:
    """Rows with a small `count_field` lose it and every field derived from it (rates, shares), and are marked."""
    guard = small_count_guard(user=user)
    result = []
    for row in rows:
        if guard(row.get(count_field)) is None and row.get(count_field) is not None:
            row = {**row, count_field: None, **dict.fromkeys(derived), "suppressed": True}
        result.append(row)
    return result
