"""Each dashboard's panels as JSON, built by the same code as the page (dashboards.pages.page_context, under the
same cache keys): a panel's figures in the API are the figures the page draws, for the same URL query."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.serializers import AnalyticsQuerySerializer
from crimedash.response_cache import CachedReadMixin
from dashboards import exports, pages
from dashboards.filters import filters_from_query

PAGES = ("strategic", "tactical", "analytical")


def panels_of(context: dict) -> dict:
    """What a page shows, as data: its period, headline tiles, every chart's data table and its tables."""
    charts = exports.page_charts(context)
    return {
        "period": context.get("period"),
        "kpis": [
            {key: tile.get(key) for key in ("key", "label", "value", "period", "note")}
            for tile in context.get("kpis", [])
        ],  # fmt: skip
        "panels": [{"id": chart["id"], "title": chart["title"], **chart["table"]} for chart in charts],
        "efficiency": context.get("efficiency", []),
        "efficiency_total": context.get("efficiency_total"),
    }


def panels_view(page: str):
    @extend_schema(parameters=[AnalyticsQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request, *args, **kwargs):
        filters = filters_from_query(request.query_params)
        return self.cached_json(
            request, lambda: Response(panels_of(pages.page_context(page=page, user=request.user, filters=filters)))
        )

    namespace = {"required_permission": f"dashboards.view_{page}", "get": get,
                 "__doc__": f"The {page} dashboard's panels, as the page draws them for the same query."}  # fmt: skip
    return type(f"{page.title()}PanelsView", (CachedReadMixin, APIView), namespace)


VIEWS = [(f"dashboards/{page}/panels/", panels_view(page), f"dashboards-{page}-panels") for page in PAGES]
