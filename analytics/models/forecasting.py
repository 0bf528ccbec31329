"""Demand forecasts with prediction intervals, and the rolling-origin backtests that chose their model."""

from django.db import models


class Granularity(models.TextChoices):
    HOUR = "hour", "Hour"
    DAY = "day", "Day"
    WEEK = "week", "Week"


class DemandBacktest(models.Model):
    """One rolling-origin backtest run over every area of one granularity: per-model accuracy and the choice."""

    granularity = models.CharField(max_length=8, choices=Granularity.choices)
    kind = models.CharField(max_length=8, default="call")
    baseline = models.CharField(max_length=32)
    chosen = models.CharField(max_length=32)
    summary = models.JSONField(
        help_text='{"models": {name: {"mase","mape","mae"}} on the force\'s test folds, "baseline", "chosen", '
        '"folds", "headline", "areas" (volume-weighted), "mase_note"}'
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "analytics"
        ordering = ["-created_at"]


class DemandBacktestScore(models.Model):
    """Accuracy of one model on one area's series, averaged over its test folds; `chosen` marks the model that the
    area's validation folds (earlier than the test folds) chose."""

    backtest = models.ForeignKey(DemandBacktest, on_delete=models.CASCADE, related_name="scores")
    area_code = models.CharField(max_length=64)
    borough_code = models.CharField(max_length=64, blank=True)
    model = models.CharField(max_length=32)
    mae = models.FloatField()
    mape = models.FloatField(null=True, blank=True)
    mase = models.FloatField(null=True, blank=True)
    folds = models.PositiveIntegerField()
    chosen = models.BooleanField(default=False)
    validation_mase = models.FloatField(null=True, blank=True, help_text="Mean MASE on the validation folds.")
    coverage = models.FloatField(null=True, blank=True, help_text="Share of test points inside the interval.")

    class Meta:
        app_label = "analytics"
        ordering = ["area_code", "model"]


class DemandForecast(models.Model):
    """The chosen model's forecast for one area over the next horizon, with its interval and measured accuracy."""

    area_code = models.CharField(max_length=64, help_text="Borough/district code, or 'force'.")
    borough_code = models.CharField(max_length=64, blank=True)
    granularity = models.CharField(max_length=8, choices=Granularity.choices)
    kind = models.CharField(max_length=8, default="call")
    model = models.CharField(max_length=32)
    interval_level = models.FloatField(default=0.9)
    issued_at = models.DateTimeField(help_text="End of the history the forecast starts from.")
    points = models.JSONField(help_text='[{"start": ISO, "yhat": x, "lower": x, "upper": x}, ...]')
    history = models.JSONField(default=list, blank=True, help_text="Recent observed [{start, y}] for the chart.")
    mae = models.FloatField(null=True, blank=True)
    mape = models.FloatField(null=True, blank=True)
    mase = models.FloatField(null=True, blank=True)
    backtest = models.ForeignKey(DemandBacktest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "analytics"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["granularity", "area_code", "-created_at"], name="dforecast_lookup_idx")]


__all__ = ["DemandBacktest", "DemandBacktestScore", "DemandForecast", "Granularity"]
