"""Serializers of the ingestion API: validation of live dispatch posts and the shape of the recent feed."""

from django.utils import dateformat, timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ingestion.localtime import zone_info
from ingestion.models import DispatchUpdate, ImportRun
from ingestion.selectors import run_unmapped
from ingestion.taxonomy import category_label


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a zone offset: a dispatch time without one is ambiguous, so it is refused."""

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if isinstance(value, str) and not _has_offset(value):
            raise serializers.ValidationError("Give the time zone offset, as in 2025-03-01T21:15:00+00:00.")
        if parsed > timezone.now() + timezone.timedelta(minutes=5):
            raise serializers.ValidationError("This time is in the future.")
        return parsed


def _has_offset(text: str) -> bool:
    tail = text.strip()[10:]
    return tail.endswith("Z") or "+" in tail or "-" in tail


class DispatchUpdateSerializer(serializers.Serializer):
    incident_id = serializers.CharField(max_length=128)
    updated_at = AwareDateTimeField()
    status = serializers.ChoiceField(choices=DispatchUpdate.Status.choices)
    occurred_at = AwareDateTimeField(required=False)
    category = serializers.SlugField(max_length=64, required=False)
    raw_category = serializers.CharField(max_length=255, required=False, allow_blank=True)
    priority = serializers.CharField(max_length=32, required=False, allow_blank=True)
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180)
    location_text = serializers.CharField(max_length=255, required=False, allow_blank=True)
    area_code = serializers.CharField(max_length=64, required=False)

    def validate(self, attrs):
        if ("latitude" in attrs) != ("longitude" in attrs):
            raise serializers.ValidationError("Give both latitude and longitude, or neither.")
        return attrs


class DispatchRecentSerializer(serializers.ModelSerializer):
    incident_id = serializers.CharField(source="incident_key")
    incident_pk = serializers.IntegerField(source="incident.pk", help_text="The incident page's id.")
    category = serializers.CharField(source="incident.category")
    priority = serializers.CharField(source="incident.priority")
    current_status = serializers.CharField(source="incident.status")
    occurred_at = serializers.DateTimeField(source="incident.occurred_at")
    latitude = serializers.FloatField(source="incident.latitude")
    longitude = serializers.FloatField(source="incident.longitude")
    location_text = serializers.CharField(source="incident.location_text")
    area_code = serializers.CharField(source="incident.borough_id")
    category_label = serializers.SerializerMethodField(help_text="The category in users' words.")
    local_time = serializers.SerializerMethodField(help_text="When it happened, in its source's zone.")

    class Meta:
        model = DispatchUpdate
        fields = ["incident_id", "incident_pk", "status", "updated_at", "received_at", "current_status", "category",
                  "category_label", "priority", "occurred_at", "local_time", "latitude", "longitude", "location_text",
                  "area_code"]  # fmt: skip

    def get_category_label(self, update: DispatchUpdate) -> str:
        return category_label(update.incident.category)

    def get_local_time(self, update: DispatchUpdate) -> str:
        incident = update.incident
        return dateformat.format(incident.occurred_at.astimezone(zone_info(incident.time_zone)), "d M H:i T")


class UnmappedSerializer(serializers.Serializer):
    description = serializers.CharField(help_text="Raw description as the export wrote it.")
    count = serializers.IntegerField()


class ImportRunSerializer(serializers.ModelSerializer):
    """One import's summary: rows read = inserted + updated + duplicates + rejected; what fell to "other"."""

    disagreements = serializers.SerializerMethodField(help_text="Keys whose rows held different known values.")
    category_other = serializers.SerializerMethodField(help_text="Rows whose description fell to 'other'.")
    unmapped = serializers.SerializerMethodField(help_text="Descriptions that fell to 'other' most often.")

    class Meta:
        model = ImportRun
        fields = ["id", "source", "target", "status", "started_at", "finished_at", "rows_read", "rows_inserted",
                  "rows_updated", "rows_duplicate", "rows_rejected", "coordinates_dropped", "disagreements",
                  "category_other", "unmapped", "months_touched", "error"]  # fmt: skip

    def get_disagreements(self, run: ImportRun) -> int:
        return run.stats.get("disagreements", 0)

    def get_category_other(self, run: ImportRun) -> int:
        return run.stats.get("category_other", 0)

    @extend_schema_field(UnmappedSerializer(many=True))
    def get_unmapped(self, run: ImportRun) -> list[dict]:
        return run_unmapped(runs=[run])
