from django.conf import settings
from django.db import models


class Alert(models.Model):
    """An emerging trend: the latest period of an area x category outside what its own history predicted."""

    class Period(models.TextChoices):
        MONTH = "month", "Month"
        WEEK = "week", "Week"

    class Direction(models.TextChoices):
        UP = "up", "Rising"
        DOWN = "down", "Falling"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        DISMISSED = "dismissed", "Dismissed"

    area_code = models.CharField(max_length=64)
    level = models.CharField(max_length=16)
    borough_code = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=64)
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField()
    observed = models.PositiveIntegerField()
    expected = models.FloatField()
    lower = models.FloatField()
    upper = models.FloatField()
    p_value = models.FloatField()
    direction = models.CharField(max_length=4, choices=Direction.choices)
    method = models.CharField(max_length=64, default="poisson-seasonal-trend")
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acted_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        app_label = "analytics"
        ordering = ["-period_start", "p_value"]
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "category", "period", "period_start"], name="alert_area_cat_period_unique"
            )
        ]
        indexes = [models.Index(fields=["state", "borough_code"], name="alert_state_borough_idx")]

    def __str__(self) -> str:
        return f"{self.category} {self.direction} in {self.area_code} ({self.period_start})"


__all__ = ["Alert"]
