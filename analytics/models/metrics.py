from django.db import models


class CorrelationResult(models.Model):
    """A stored correlation: deprivation domain vs LSOA crime rate, or the category co-occurrence matrix."""

    class Kind(models.TextChoices):
        DEPRIVATION = "deprivation", "Deprivation domain vs crime rate"
        CATEGORY = "category", "Category co-occurrence"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=100, help_text="Domain name, or 'matrix'.")
    n = models.PositiveIntegerField(default=0)
    rho = models.FloatField(null=True)
    ci_low = models.FloatField(null=True)
    ci_high = models.FloatField(null=True)
    p_value = models.FloatField(null=True)
    data = models.JSONField(default=dict, help_text="Scatter points or the matrix.")
    meta = models.JSONField(default=dict, help_text="Period, matching counts, guards applied.")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "analytics"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="correlation_kind_key_unique")]


class StrategicMetric(models.Model):
    """A borough's year: recorded crime, outcome and resolution rates, and efficiency against its resources."""

    area_code = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    recorded = models.PositiveIntegerField(default=0)
    with_outcome = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    charged = models.PositiveIntegerField(default=0)
    population = models.PositiveIntegerField(null=True)
    officers = models.PositiveIntegerField(null=True)
    budget_gbp = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    outcome_rate = models.FloatField(null=True)
    resolution_rate = models.FloatField(null=True)
    charge_rate = models.FloatField(null=True)
    crimes_per_officer = models.FloatField(null=True)
    officers_per_1000 = models.FloatField(null=True)
    budget_per_crime = models.FloatField(null=True)
    rate_per_1000 = models.FloatField(null=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "analytics"
        ordering = ["area_code", "year"]
        constraints = [models.UniqueConstraint(fields=["area_code", "year"], name="strategic_area_year_unique")]


__all__ = ["CorrelationResult", "StrategicMetric"]
