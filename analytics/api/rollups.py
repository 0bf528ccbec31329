"""The core analytics API under /api/analytics/: one read endpoint per stored result, scoped and filterable.

Selector endpoints return what the dashboards draw (already scoped and privacy-guarded); the alert and rollup
endpoints are DRF viewsets with FilterSets. Every view declares `required_permission` (accounts.RolePermission).
"""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics import selectors
from analytics.filters import AnalyticsFilters
from analytics.models import Alert, H3MonthlyCount, Level, MonthlyCount
from analytics.serializers import (
    AlertActionSerializer,
    AlertSerializer,
    AnalyticsQuerySerializer,
    MonthlyCountSerializer,
    SeasonalQuerySerializer,
)
from analytics.services import alert_act
from analytics.trends import alerts_visible_to
from crimedash.response_cache import CachedReadMixin

STRATEGIC = "dashboards.view_strategic"
TACTICAL = "dashboards.view_tactical"
ANALYTICAL = "dashboards.view_analytical"


def selector_view(selector, permission: str, *, filtered: bool = True):
    """An APIView answering GET with selector(user=..., [filters=...]) as JSON."""

    @extend_schema(parameters=[AnalyticsQuerySerializer] if filtered else [], responses=OpenApiTypes.OBJECT)
    def get(self, request, *args, **kwargs):
        arguments = {"filters": AnalyticsFilters.from_query(request.query_params)} if filtered else {}
        return self.cached_json(request, lambda: Response(selector(user=request.user, **arguments)))

    name = "".join(part.title() for part in selector.__name__.split("_")) + "View"
    namespace = {"required_permission": permission, "get": get, "__doc__": selector.__doc__}
    return type(name, (CachedReadMixin, APIView), namespace)


KpiSummaryView = selector_view(selectors.kpi_summary, STRATEGIC)
MonthlySeriesView = selector_view(selectors.monthly_series, STRATEGIC)
AreaComparisonView = selector_view(selectors.area_comparison, STRATEGIC)
CategoryTrendsView = selector_view(selectors.category_trends, STRATEGIC)
StrategicMetricsView = selector_view(selectors.strategic_metrics, STRATEGIC, filtered=False)
FilterOptionsView = selector_view(selectors.filter_options, STRATEGIC, filtered=False)
HourWeekdayView = selector_view(selectors.hour_weekday_matrix, TACTICAL)
CalendarEffectsView = selector_view(selectors.calendar_effects, TACTICAL, filtered=False)
CallsSummaryView = selector_view(selectors.calls_sections, TACTICAL)
ContextSeriesView = selector_view(selectors.context_series, ANALYTICAL)
DeprivationCorrelationView = selector_view(selectors.deprivation_correlation, ANALYTICAL)
CategoryCorrelationView = selector_view(selectors.category_correlation, ANALYTICAL)


class SeasonalDecompositionView(CachedReadMixin, APIView):
    """STL decomposition of a force or borough's monthly series (404 when absent or outside the caller's scope)."""

    required_permission = ANALYTICAL

    @extend_schema(parameters=[SeasonalQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request, *args, **kwargs):
        return self.cached_json(request, lambda: self.decomposition(request))

    def decomposition(self, request) -> Response:
        query = SeasonalQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = selectors.seasonal_decomposition(
            user=request.user, area_code=query.validated_data["area"], category=query.validated_data["category"]
        )
        if result is None:
            raise NotFound("No decomposition for that area and category.")
        return Response(result)


class AlertFilterSet(django_filters.FilterSet):
    period_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = Alert
        fields = ["state", "category", "period", "direction", "level", "area_code", "borough_code"]


class AlertViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Emerging-trend alerts in the caller's area; commanders acknowledge or dismiss them (audited)."""

    queryset = Alert.objects.none()  # for the schema; requests use get_queryset
    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
    lookup_value_regex = r"\d+"  # a non-numeric id is no alert: 404, never int() of it
    live_data = True
    required_permission = {"acknowledge": "analytics.acknowledge_alert", "dismiss": "analytics.acknowledge_alert",
                           "default": TACTICAL}  # fmt: skip

    def get_queryset(self):
        return alerts_visible_to(user=self.request.user).select_related("acted_by").order_by("-period_start", "pk")

    def _act(self, request, pk: str, state: str) -> Response:
        body = AlertActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = alert_act(user=request.user, alert_id=int(pk), state=state, note=body.validated_data["note"],
                                request=request)  # fmt: skip
        return Response(AlertSerializer(alert, context={"request": request}).data)

    @extend_schema(request=AlertActionSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None, format=None):
        return self._act(request, pk, Alert.State.ACKNOWLEDGED)

    @extend_schema(request=AlertActionSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None, format=None):
        return self._act(request, pk, Alert.State.DISMISSED)


class MonthlyCountFilterSet(django_filters.FilterSet):
    month_from = django_filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = django_filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = MonthlyCount
        fields = ["level", "area_code", "borough_code", "month", "category", "kind", "origin", "source"]


class H3MonthlyCountFilterSet(MonthlyCountFilterSet):
    class Meta(MonthlyCountFilterSet.Meta):
        model = H3MonthlyCount


class RollupCursorPagination(CursorPagination):
    """Pages of rollup rows by (month, id) from their index: no count of millions of rows, and a deep page costs what
    the first does."""

    ordering = ("month", "id")
    page_size = 100


class MonthlyCountViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """The monthly rollup rows themselves (area x month x category x kind x origin x source), for analysts. Every
    level but H3 unless one is asked for; the H3 cells' rows with level=h3."""

    queryset = MonthlyCount.objects.none()  # for the schema; requests use get_queryset
    serializer_class = MonthlyCountSerializer
    pagination_class = RollupCursorPagination
    required_permission = ANALYTICAL

    @property
    def _level(self) -> str | None:
        """H3 cells are a table of their own (analytics.models.H3MonthlyCount): their rows are the pages of
        level=h3."""
        request = getattr(self, "request", None)
        return Level.H3 if request is not None and request.query_params.get("level") == Level.H3 else None

    @property
    def filterset_class(self):
        return H3MonthlyCountFilterSet if self._level else MonthlyCountFilterSet

    def get_queryset(self):
        # the filter bar's names (date_from, date_to, area, category, source, kind) mean here what they mean on
        # every other endpoint; the rollup's own columns (level, area_code, month_from, ...) narrow further
        filters = AnalyticsFilters.from_query(self.request.query_params)
        return selectors.visible_rollups(MonthlyCount, user=self.request.user, filters=filters, level=self._level)


ROUTES = [
    ("analytics/alerts", AlertViewSet, "analytics-alert"),
    ("analytics/monthly-counts", MonthlyCountViewSet, "analytics-monthly-count"),
]
VIEWS = [
    ("analytics/kpis/", KpiSummaryView, "analytics-kpis"),
    ("analytics/monthly/", MonthlySeriesView, "analytics-monthly"),
    ("analytics/areas/", AreaComparisonView, "analytics-areas"),
    ("analytics/categories/", CategoryTrendsView, "analytics-categories"),
    ("analytics/strategic-metrics/", StrategicMetricsView, "analytics-strategic-metrics"),
    ("analytics/filter-options/", FilterOptionsView, "analytics-filter-options"),
    ("analytics/hour-weekday/", HourWeekdayView, "analytics-hour-weekday"),
    ("analytics/calendar-effects/", CalendarEffectsView, "analytics-calendar-effects"),
    ("analytics/calls/", CallsSummaryView, "analytics-calls"),
    ("analytics/context/", ContextSeriesView, "analytics-context"),
    ("analytics/seasonal/", SeasonalDecompositionView, "analytics-seasonal"),
    ("analytics/correlations/deprivation/", DeprivationCorrelationView, "analytics-deprivation-correlation"),
    ("analytics/correlations/categories/", CategoryCorrelationView, "analytics-category-correlation"),
]
