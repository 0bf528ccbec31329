"""Small-number suppression: counts from 1 to threshold-1 are hidden from roles without analyst access.

`suppress_small_counts` is the one rule; every count a page or the API shows passes through it, by way of the two
adapters below (a table of rows, a single value). It hides the small counts (primary suppression) and, because a
table's total or its shares would give a single hidden count back (total minus the rest, or count / share), it also
hides the smallest shown counts until the hidden ones are at least two and together at least the threshold
(complementary suppression). Figures derived from a hidden count (shares, rates, changes) are hidden with it.
"""

from collections.abc import Callable, Iterable, Sequence

from analytics import conf

ANALYST_PERMISSION = "dashboards.view_analytical"


def sees_small_counts(*, user) -> bool:
    return bool(user and user.has_perm(ANALYST_PERMISSION))


def is_small(value, threshold: int | None = None) -> bool:
    limit = conf.SUPPRESSION_THRESHOLD if threshold is None else threshold
    return value is not None and 0 < value < limit


def suppress_small_counts(counts: Sequence[int | None], *, user, complementary: bool = True) -> list[int | None]:
    """`counts` with the small ones None for a user without analyst access; with `complementary`, the smallest
    others too, until no total or share of these counts gives a hidden one back."""
    counts = list(counts)
    if sees_small_counts(user=user):
        return counts
    hidden = {index for index, value in enumerate(counts) if is_small(value)}
    if complementary and hidden:
        shown = sorted((value, index) for index, value in enumerate(counts) if index not in hidden and value)
        while shown and (len(hidden) < 2 or sum(counts[index] for index in hidden) < conf.SUPPRESSION_THRESHOLD):
            hidden.add(shown.pop(0)[1])
    return [None if index in hidden else value for index, value in enumerate(counts)]


def suppress_rows(
    rows: Iterable[dict], *, user, count_field: str = "count", derived: tuple[str, ...] = (), complementary=True
) -> list[dict]:
    """A table's rows: a row whose `count_field` is hidden loses it and every field derived from it, and is marked
    `suppressed`."""
    rows = list(rows)
    shown = suppress_small_counts([row.get(count_field) for row in rows], user=user, complementary=complementary)
    return [
        row if value is not None or row.get(count_field) is None
        else {**row, count_field: None, **dict.fromkeys(derived), "suppressed": True}
        for row, value in zip(rows, shown, strict=True)
    ]  # fmt: skip


def small_count_guard(*, user) -> Callable:
    """For values shown one by one, with no total or share beside them: value -> value, or None when small. The
    permission is asked once (a 168-cell hour matrix asked it per cell: 6 ms of the request)."""
    if sees_small_counts(user=user):
        return lambda value: value
    return lambda value: None if is_small(value) else value


def total_of(parts: Iterable[int | None]) -> int | None:
    """A total of cells shown elsewhere on the page (the year of shown months): hidden when any of them is, as the
    total minus the shown ones would give a hidden cell back."""
    parts = list(parts)
    return None if any(part is None for part in parts) else sum(parts)


def with_shares(rows: list[dict], *, user, count_field: str = "count", derived: tuple[str, ...] = ()) -> list[dict]:
    """The table's rows with each one's `share` of the total, then suppressed: a hidden count loses its share, and
    complementary suppression keeps the total (count / share) from giving a single hidden count back."""
    total = sum(row[count_field] or 0 for row in rows)
    rows = [{**row, "share": round(row[count_field] / total, 4) if total else None} for row in rows]
    return suppress_rows(rows, user=user, count_field=count_field, derived=("share", *derived))
