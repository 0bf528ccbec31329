"""GET /api/analytics/response-times/: the numbers of the response-times panel (tactical and analytical pages).

The same selector the panel reads (analytics.response_times), with the dashboards' filters plus `priority`; scoped to
the caller's areas and suppressed like every count. Commanders and analysts (dashboards.view_tactical) may read it.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.filters import AnalyticsFilters
from analytics.response_times import response_times_report
from analytics.serializers import AnalyticsQuerySerializer
from crimedash.response_cache import CachedReadMixin

TACTICAL = "dashboards.view_tactical"


class ResponseTimesQuerySerializer(AnalyticsQuerySerializer):
    priority = serializers.CharField(required=False, help_text="Priorities as the calls carry them.")


class ResponseTimesView(CachedReadMixin, APIView):
    """Response time (on scene - received) p50/p90 against the force's targets by priority, area, category, month
    and local hour x weekday; dispatch delay and time on scene; the slowest calls."""

    required_permission = TACTICAL

    @extend_schema(parameters=[ResponseTimesQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request, *args, **kwargs):
        return self.cached_json(request, lambda: Response(self.report(request)))

    def report(self, request) -> dict:
        filters = AnalyticsFilters.from_query(request.query_params)
        priorities = _listed(request.query_params.getlist("priority"))
        return response_times_report(user=request.user, filters=filters, priorities=priorities)


def _listed(values: list[str]) -> tuple[str, ...]:
    """Repeated or comma-separated values, as the other list filters read them."""
    return tuple(sorted({item.strip() for value in values for item in value.split(",") if item.strip()}))


VIEWS = [("analytics/response-times/", ResponseTimesView, "analytics-response-times")]
