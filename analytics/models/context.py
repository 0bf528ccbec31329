"""Measured effects of context (bank holidays, school terms, weather, events) on daily demand, per demand backtest."""

from django.db import models

from analytics.models.forecasting import DemandBacktest


class ContextEffect(models.Model):
    """One factor's measured effect on one area's daily calls, over the backtest's series, and whether it earned its
    place in the context regression on the validation weeks (never on the test weeks)."""

    backtest = models.ForeignKey(DemandBacktest, on_delete=models.CASCADE, related_name="context_effects")
    area_code = models.CharField(max_length=64, help_text="Borough/district code, or 'force'.")
    borough_code = models.CharField(max_length=64, blank=True)
    factor = models.CharField(max_length=64, help_text="bank_holiday, or a ContextSeries name.")
    source = models.CharField(max_length=200)
    indicator = models.BooleanField(help_text="On/off days (1/0) rather than a measurement such as rain in mm.")
    period_start = models.DateField()
    period_end = models.DateField()
    days = models.PositiveIntegerField()
    days_on = models.PositiveIntegerField(null=True, blank=True)
    mean_on = models.FloatField(null=True, blank=True, help_text="Mean daily calls on days with the factor.")
    mean_off = models.FloatField(null=True, blank=True, help_text="Mean daily calls on days without it.")
    effect = models.FloatField(
        null=True, blank=True, help_text="Change in daily calls as a share (0.3 = +30 %): on vs off, or per unit."
    )
    effect_low = models.FloatField(null=True, blank=True)
    effect_high = models.FloatField(null=True, blank=True)
    interval_level = models.FloatField(default=0.9)
    validation_mae_without = models.FloatField(null=True, blank=True)
    validation_mae_with = models.FloatField(null=True, blank=True)
    improved = models.BooleanField(default=False, help_text="Adding it cut the validation MAE enough to be kept.")
    used = models.BooleanField(default=False, help_text="The area's chosen model is the context regression with it.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        app_label = "analytics"
        ordering = ["area_code", "factor"]


__all__ = ["ContextEffect"]
