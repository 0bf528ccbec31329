"""Response times of calls: histograms of minutes per grain (rebuilt by the refresh) and the force's targets.

A call's response time is on scene - received, its dispatch delay dispatched - received, its time on scene
cleared - on scene (ingestion.lifecycle). Each is counted in minute buckets (`bucket` is the lower edge, see
analytics.response_rollups.BUCKETS), so medians and 90th percentiles of any filter are read from a few hundred rows.
"""

from django.db import models

from analytics.models.rollups import AreaRollup


class Measure(models.TextChoices):
    RESPONSE = "response", "Response time"
    DISPATCH = "dispatch", "Dispatch delay"
    ON_SCENE = "on_scene", "Time on scene"


class ResponseTimeCount(AreaRollup):
    """Calls per area x month x category x kind x source x priority x measure x minute bucket."""

    source = models.CharField(max_length=32)
    priority = models.CharField(max_length=32, blank=True)
    measure = models.CharField(max_length=16, choices=Measure.choices)
    bucket = models.PositiveIntegerField(help_text="Lower edge of the bucket, in minutes.")

    class Meta:
        app_label = "analytics"
        indexes = [
            models.Index(fields=["month", "borough_code"], name="rtc_month_borough_idx"),
        ]
        # the grain, unique (analytics.models.rollups); it leads with what an index on level, measure, month served
        constraints = [
            models.UniqueConstraint(
                fields=["level", "measure", "month", "area_code", "borough_code", "category", "kind", "source",
                        "priority", "bucket"],
                name="rtc_grain_unique",
            )
        ]  # fmt: skip


class ResponseHourCount(AreaRollup):
    """Response times only, per area x month x local ISO weekday x hour x category x source x priority x bucket."""

    source = models.CharField(max_length=32)
    priority = models.CharField(max_length=32, blank=True)
    weekday = models.PositiveSmallIntegerField()
    hour = models.PositiveSmallIntegerField()
    bucket = models.PositiveIntegerField(help_text="Lower edge of the bucket, in minutes.")

    class Meta:
        app_label = "analytics"
        indexes = [
            models.Index(fields=["month", "borough_code"], name="rhc_month_borough_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "month", "area_code", "borough_code", "weekday", "hour", "category", "kind", "source",
                        "priority", "bucket"],
                name="rhc_grain_unique",
            )
        ]  # fmt: skip


class ResponseTarget(models.Model):
    """The force's response target for a priority (as its CAD writes it): attended within so many minutes."""

    priority = models.CharField(max_length=32, unique=True, help_text="Priority exactly as the calls carry it.")
    target_minutes = models.PositiveSmallIntegerField(help_text="On scene within this many minutes of the call.")
    label = models.CharField(max_length=100, blank=True, help_text="How the force names it, e.g. 'I grade (urban)'.")

    class Meta:
        app_label = "analytics"
        ordering = ["target_minutes", "priority"]

    def __str__(self) -> str:
        return f"{self.priority}: {self.target_minutes} min"


__all__ = ["Measure", "ResponseHourCount", "ResponseTarget", "ResponseTimeCount"]
