"""Accepted deployment plans in the shape a dispatch (CAD) system reads: units per area per shift, staging sites with
their positions, the areas that apply the plan and from when, and whether the push to dispatch was delivered."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from analytics.deployment.delivery import dispatch_payload
from analytics.forecasting.selectors import deployment_plan_queryset
from analytics.models import DeploymentPlan


class PilotSerializer(serializers.Serializer):
    """What the accept action may carry: the sub-areas that take the plan up and the day they start."""

    pilot_areas = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)
    pilot_start = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema_field(serializers.DictField())
class PayloadField(serializers.Field):
    def to_representation(self, plan):
        return dispatch_payload(plan)


class DispatchPlanSerializer(serializers.ModelSerializer):
    plan = PayloadField(source="*", read_only=True)

    class Meta:
        model = DeploymentPlan
        fields = ["id", "plan", "dispatch_status", "dispatch_attempts", "dispatch_delivered_at"]


class DispatchPlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Accepted plans of the caller's BCU (all for force-wide roles), newest acceptance first; the plan the CAD
    sends units by is the first."""

    required_permission = "dashboards.view_tactical"
    serializer_class = DispatchPlanSerializer
    filterset_fields = ["borough_code"]

    def get_queryset(self):
        plans = deployment_plan_queryset(user=self.request.user)
        return plans.filter(state=DeploymentPlan.State.ACCEPTED).order_by("-accepted_at")
