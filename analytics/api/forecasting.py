"""API over hotspot runs and cells, backtests, demand forecasts, deployment plans (with accept) and bias reports.

Every view declares `required_permission` and starts from a scoped selector; objects outside the caller's scope
answer 404. Hotspot cells come as a GeoJSON FeatureCollection.
"""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from analytics.api.dispatch_plans import DispatchPlanViewSet, PilotSerializer
from analytics.deployment.pilot import deployment_plan_accept_pilot
from analytics.forecasting import selectors
from analytics.models import BiasReport, DemandBacktest, DemandForecast, DeploymentPlan, HotspotBacktest, HotspotRun
from crimedash.response_cache import CachedReadMixin

TACTICAL = "dashboards.view_tactical"
ANALYTICAL = "dashboards.view_analytical"


def _model_serializer(model_class):
    """A read-only ModelSerializer of every field: the stored results are already shaped for their readers."""
    meta = type("Meta", (), {"model": model_class, "fields": "__all__"})
    return type(f"{model_class.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


HotspotRunSerializer = _model_serializer(HotspotRun)
HotspotBacktestSerializer = _model_serializer(HotspotBacktest)
DemandForecastSerializer = _model_serializer(DemandForecast)
DemandBacktestSerializer = _model_serializer(DemandBacktest)
DeploymentPlanSerializer = _model_serializer(DeploymentPlan)
BiasReportSerializer = _model_serializer(BiasReport)


class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.CharField()
    features = serializers.ListField(child=serializers.DictField())
    run = serializers.DictField(allow_null=True)


class HotspotRunViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Stored hotspot runs with their parameters; `cells` gives the run's cells in the caller's scope as GeoJSON."""

    required_permission = TACTICAL
    serializer_class = HotspotRunSerializer
    filterset_fields = ["method", "grid_kind", "category", "kind", "origin_filter", "area_code"]

    def get_queryset(self):
        return selectors.hotspot_run_queryset(user=self.request.user).order_by("-created_at")

    @extend_schema(
        responses=FeatureCollectionSerializer,
        parameters=[OpenApiParameter("significant", bool, description="Only FDR-significant Gi* cells.")],
    )
    @action(detail=True, methods=["get"])
    def cells(self, request, pk=None, format=None):
        run = self.get_object()
        significant = request.query_params.get("significant", "").lower() in {"1", "true", "yes"}
        return Response(selectors.hotspot_cells_geojson(user=request.user, run_id=run.pk, significant_only=significant))


class HotspotBacktestViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Hotspot backtests: hit rate and PAI at 1/5/10 % of the study area per method and baseline."""

    required_permission = ANALYTICAL
    serializer_class = HotspotBacktestSerializer
    filterset_fields = ["category", "grid_kind", "origin_filter"]
    queryset = HotspotBacktest.objects.order_by("-created_at")


class DemandForecastViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Demand forecasts with prediction intervals and the chosen model's backtest accuracy (MAE, MAPE, MASE)."""

    required_permission = TACTICAL
    serializer_class = DemandForecastSerializer
    filterset_fields = ["area_code", "granularity", "kind", "model"]

    def get_queryset(self):
        return selectors.demand_forecast_queryset(user=self.request.user).order_by("granularity", "area_code")


class DemandBacktestViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Rolling-origin demand backtests: per-model mean accuracy, the baseline and the chosen model."""

    required_permission = ANALYTICAL
    serializer_class = DemandBacktestSerializer
    filterset_fields = ["granularity", "kind", "chosen"]
    queryset = DemandBacktest.objects.order_by("-created_at")


class DeploymentPlanViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Deployment plans of the caller's BCU (all for force-wide roles); a commander accepts one with POST accept."""

    required_permission = {"accept": "analytics.accept_deployment", "default": TACTICAL}
    live_data = True
    serializer_class = DeploymentPlanSerializer
    filterset_fields = ["borough_code", "state", "basis"]

    def get_queryset(self):
        return selectors.deployment_plan_queryset(user=self.request.user).order_by("-created_at")

    @extend_schema(request=PilotSerializer, responses={200: DeploymentPlanSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None, format=None):
        plan = self.get_object()
        pilot = PilotSerializer(data=request.data)
        pilot.is_valid(raise_exception=True)
        try:
            deployment_plan_accept_pilot(plan=plan, user=request.user, request=request, **pilot.validated_data)
        except PermissionDenied as denied:
            return Response({"detail": str(denied)}, status=status.HTTP_403_FORBIDDEN)
        except ValueError as conflict:
            return Response({"detail": str(conflict)}, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(plan).data)


class BiasReportViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Fairness reports: units vs reported demand by deprivation decile and the feedback-loop simulation."""

    required_permission = ANALYTICAL
    serializer_class = BiasReportSerializer
    filterset_fields = ["borough_code", "plan"]

    def get_queryset(self):
        return selectors.bias_report_queryset(user=self.request.user).order_by("-created_at")


ROUTES = [
    ("hotspot-runs", HotspotRunViewSet, "hotspot-run"),
    ("hotspot-backtests", HotspotBacktestViewSet, "hotspot-backtest"),
    ("demand-forecasts", DemandForecastViewSet, "demand-forecast"),
    ("demand-backtests", DemandBacktestViewSet, "demand-backtest"),
    ("deployment-plans", DeploymentPlanViewSet, "deployment-plan"),
    ("dispatch-plans", DispatchPlanViewSet, "dispatch-plan"),
    ("bias-reports", BiasReportViewSet, "bias-report"),
]
