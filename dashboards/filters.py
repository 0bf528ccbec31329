"""The filters every dashboard shares, read from and written back to the URL so a view can be bookmarked.

GET parameters: `date_from` and `date_to` (YYYY-MM or ISO dates), and repeatable `area`, `category`, `source`, `kind`.
"""

from dataclasses import replace
from urllib.parse import urlencode

from django.http import QueryDict

from analytics.filters import AnalyticsFilters
from ingestion.models import Area, Incident

LIST_PARAMS = ("area", "category", "source", "kind")
KINDS = [value for value, _label in Incident.Kind.choices]

# Which Incident column holds an area of each kind: the area filter is hierarchical, any level may be chosen.
AREA_FIELD = {
    Area.Kind.FORCE: "force_id",
    Area.Kind.BOROUGH: "borough_id",
    Area.Kind.BCU: "borough_id",
    Area.Kind.DISTRICT: "borough_id",
    Area.Kind.LSOA: "lsoa_id",
    Area.Kind.NEIGHBORHOOD: "neighborhood_id",
    Area.Kind.POST: "post_id",
    Area.Kind.ZIP: "zip_code_id",
    Area.Kind.H3: "h3_cell",
}


# The dashboards share analytics' filters, so a dashboard URL and an API URL say the same thing the same way.
DashboardFilters = AnalyticsFilters


def filters_from_query(query: QueryDict) -> DashboardFilters:
    filters = AnalyticsFilters.from_query(query)
    return replace(filters, kinds=tuple(kind for kind in filters.kinds if kind in KINDS))


def filters_with(filters: DashboardFilters, **changes) -> DashboardFilters:
    return replace(filters, **changes)


def filters_to_query(filters: DashboardFilters, **extra) -> str:
    pairs = [("date_from", filters.date_from), ("date_to", filters.date_to)]
    pairs = [(name, value.isoformat()) for name, value in pairs if value]
    for name, values in zip(
        LIST_PARAMS, (filters.areas, filters.categories, filters.sources, filters.kinds), strict=False
    ):
        pairs.extend((name, value) for value in values)
    pairs.extend((name, value) for name, value in extra.items() if value not in (None, ""))
    return urlencode(pairs)


def drill_query(**params) -> str:
    """A chart point's drill-down query: filters_to_query(DashboardFilters(), **params), without building the empty
    filters for each of a page's hundreds of points."""
    return urlencode([(name, value) for name, value in params.items() if value not in (None, "")])


def filters_as_params(filters: DashboardFilters) -> dict:
    """A JSON-able summary, for audit records and exports."""
    return {
        "date_from": filters.date_from.isoformat() if filters.date_from else None,
        "date_to": filters.date_to.isoformat() if filters.date_to else None,
        "area": list(filters.areas),
        "category": list(filters.categories),
        "source": list(filters.sources),
        "kind": list(filters.kinds),
    }
