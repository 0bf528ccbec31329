"""Serializers of the core analytics API: query parameters (for validation and the schema) and stored rows."""

from rest_framework import serializers

from analytics.models import Alert, Level, MonthlyCount
from analytics.privacy import small_count_guard


def _guard(context: dict):
    """The request's small-count guard, made once per response (a page of rows asked the permission per row)."""
    if "small_count_guard" not in context:
        context["small_count_guard"] = small_count_guard(user=context["request"].user)
    return context["small_count_guard"]


class AnalyticsQuerySerializer(serializers.Serializer):
    """The filters every time-series endpoint takes (repeat or comma-separate the list parameters)."""

    date_from = serializers.CharField(required=False, help_text="YYYY-MM or YYYY-MM-DD (inclusive).")
    date_to = serializers.CharField(required=False, help_text="YYYY-MM or YYYY-MM-DD (inclusive).")
    area = serializers.CharField(required=False, help_text="Area or borough codes.")
    category = serializers.CharField(required=False, help_text="Category slugs.")
    source = serializers.CharField(required=False, help_text="Source names.")
    kind = serializers.CharField(required=False, help_text="crime, asb, call, stop.")
    level = serializers.ChoiceField(choices=Level.choices, required=False, help_text="Area level for rankings.")
    reported_only = serializers.BooleanField(required=False, help_text="Public reports only.")


class SeasonalQuerySerializer(serializers.Serializer):
    area = serializers.CharField(help_text="Force or borough code.")
    category = serializers.CharField(required=False, default="", help_text="Category slug; empty for all.")


class AlertSerializer(serializers.ModelSerializer):
    acted_by = serializers.StringRelatedField()

    class Meta:
        model = Alert
        fields = [
            "id", "area_code", "level", "borough_code", "category", "period", "period_start", "observed", "expected",
            "lower", "upper", "p_value", "direction", "method", "state", "created_at", "acted_by", "acted_at", "note",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["observed"] = _guard(self.context)(data["observed"])
        return data


class AlertActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class MonthlyCountSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonthlyCount
        fields = ["level", "area_code", "borough_code", "month", "category", "kind", "origin", "source", "count"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["count"] = _guard(self.context)(data["count"])
        return data
