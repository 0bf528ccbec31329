"""The data table behind each chart, rendered in Python: a page holds a dozen of them with up to 200 rows each, and
template loops over every cell cost more than the rest of the page."""

from django import template
from django.conf import settings
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()
NONE = "–"


def _cell(value, index: int, *, plain_numbers: bool) -> str:
    """One cell. Counts, plain floats and text are written directly where localize would write the same (no
    thousands separator, a decimal point): most of a table's cells."""
    kind, text = type(value), None
    if kind is str:
        text = conditional_escape(value)
    elif plain_numbers and kind is int:
        text = str(value)
    elif plain_numbers and kind is float and "e" not in repr(value):
        text = repr(value)
    if text is None:
        text = NONE if value is None else conditional_escape(localize(value))
    return f"<td>{text}</td>" if index == 0 else f'<td class="num">{text}</td>'


@register.filter
def data_table(table: dict, limit: int = 0) -> str:
    """<table> of {"columns": [...], "rows": [[...], ...]}: a header row, then each row (its first cell a label,
    the rest right-aligned numbers); `limit` keeps the first rows only."""
    rows = table.get("rows", [])
    rows = rows[:limit] if limit else rows
    head = "".join(f'<th scope="col">{conditional_escape(column)}</th>' for column in table.get("columns", []))
    plain = not settings.USE_THOUSAND_SEPARATOR and get_format("DECIMAL_SEPARATOR") == "."
    body = "".join(
        "<tr>" + "".join(_cell(value, i, plain_numbers=plain) for i, value in enumerate(row)) + "</tr>" for row in rows
    )
    return mark_safe(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")  # noqa: S308 - escaped
