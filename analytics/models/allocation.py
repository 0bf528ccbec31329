"""Deployment plans (units per area per shift) that a commander accepts, and the fairness report on them."""

from django.conf import settings
from django.db import models


class DeploymentPlan(models.Model):
    """An optimised allocation of units to the areas of one BCU by shift, with its coverage and equity."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        SUPERSEDED = "superseded", "Superseded"

    class DispatchStatus(models.TextChoices):
        NOT_CONFIGURED = "not_configured", "No dispatch endpoint configured"
        PENDING = "pending", "Being sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed after retries"

    borough_code = models.CharField(max_length=64, help_text="The BCU/borough/district the plan deploys in.")
    basis = models.CharField(max_length=16, default="call", help_text="Demand the plan covers: call or crime.")
    origin_filter = models.CharField(max_length=16, default="public_report")
    shifts = models.JSONField(help_text="Shift names in order.")
    areas = models.JSONField(help_text="Area codes in order.")
    demand = models.JSONField(help_text="{area: {shift: expected demand}}")
    units_available = models.JSONField(help_text="{shift: units}")
    min_cover = models.PositiveIntegerField(default=0)
    max_imbalance = models.FloatField(help_text="Bound on demand per unit between the busiest and quietest area.")
    allocation = models.JSONField(help_text="{area: {shift: units}}")
    current = models.JSONField(default=dict, blank=True, help_text="The plan in force before, same shape.")
    metrics = models.JSONField(default=dict, help_text="coverage, equity (max/min workload, Gini), change.")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PROPOSED)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # the coverage option and the pilot (analytics.deployment.coverage, .pilot, .delivery)
    coverage_option = models.JSONField(
        default=dict, blank=True, help_text="Staging sites per shift that maximise demand within the target time."
    )
    pilot_areas = models.JSONField(default=list, blank=True, help_text="Sub-areas that took up the plan on acceptance.")
    pilot_start = models.DateField(null=True, blank=True, help_text="First day the pilot areas run the plan.")
    dispatch_status = models.CharField(max_length=16, choices=DispatchStatus.choices, blank=True)
    dispatch_attempts = models.PositiveIntegerField(default=0)
    dispatch_delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "analytics"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["borough_code", "state"], name="plan_borough_state_idx")]

    def __str__(self) -> str:
        return f"Plan {self.pk} {self.borough_code} ({self.state})"


class BiasReport(models.Model):
    """Share of allocated units vs share of reported demand by deprivation decile, and a feedback-loop simulation."""

    borough_code = models.CharField(max_length=64, blank=True, help_text="Blank: the whole force.")
    plan = models.ForeignKey(DeploymentPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    by_decile = models.JSONField(help_text="[{decile, areas, demand_share, units_share, ratio}]")
    by_area = models.JSONField(default=list, blank=True)
    feedback = models.JSONField(default=dict, help_text="Simulated drift: ranking on all vs reported incidents.")
    summary = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "analytics"
        ordering = ["-created_at"]


__all__ = ["BiasReport", "DeploymentPlan"]
