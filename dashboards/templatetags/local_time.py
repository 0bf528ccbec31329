"""An incident's time as its source lived it: in the source's zone, with the zone's abbreviation (EST, BST)."""

from django import template
from django.utils import dateformat

from ingestion.localtime import zone_info

register = template.Library()


@register.filter
def source_time(incident, fmt: str = "Y-m-d H:i T") -> str:
    """`incident.occurred_at` in its source's zone; a month-precision record shows its month only."""
    if incident.time_precision == "month":
        return dateformat.format(incident.local_date or incident.occurred_at, "Y-m")
    return dateformat.format(incident.occurred_at.astimezone(zone_info(incident.time_zone)), fmt)
