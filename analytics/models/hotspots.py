"""Stored hotspot runs (one per method x grid x period x filter) and their cells, plus hotspot backtest results."""

from django.db import models


class HotspotRun(models.Model):
    """One hotspot computation with every parameter it used; its cells are in HotspotCell."""

    class Method(models.TextChoices):
        COUNTS = "counts", "Counts"
        KDE = "kde", "Kernel density"
        GI_STAR = "gi-star", "Getis-Ord Gi*"
        PROSPECTIVE = "prospective", "Prospective (near-repeat)"
        NEAR_REPEAT = "near-repeat", "Near-repeat (shrunk long-run rate plus recent nearby incidents)"
        BLEND = "blend", "Blend of long-run, recent and neighbouring counts"

    class Origin(models.TextChoices):
        REPORTED = "public_report", "Reported incidents only"
        ALL = "all", "All incidents"

    method = models.CharField(max_length=16, choices=Method.choices)
    grid_kind = models.CharField(max_length=8, help_text="h3 or square")
    resolution = models.PositiveIntegerField(help_text="H3 resolution, or square side in metres.")
    period_start = models.DateField()
    period_end = models.DateField(help_text="Exclusive.")
    target_period = models.DateField(null=True, blank=True, help_text="Prospective runs: the period predicted.")
    category = models.CharField(max_length=64, blank=True, help_text="Blank: every category.")
    kind = models.CharField(max_length=8, blank=True)
    origin_filter = models.CharField(max_length=16, choices=Origin.choices, default=Origin.REPORTED)
    area_code = models.CharField(max_length=64, blank=True, help_text="Blank: the whole force.")
    params = models.JSONField(default=dict, blank=True)
    incidents = models.PositiveIntegerField(default=0)
    cells_total = models.PositiveIntegerField(default=0)
    significant_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "analytics"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["method", "grid_kind", "resolution", "-created_at"], name="hsrun_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.grid_kind}-{self.resolution} {self.period_start}..{self.period_end}"


class HotspotCell(models.Model):
    """A cell of a run worth keeping (non-zero value or significant), with its statistic and rank."""

    run = models.ForeignKey(HotspotRun, on_delete=models.CASCADE, related_name="cells")
    cell = models.CharField(max_length=32)
    borough_code = models.CharField(max_length=64, blank=True, help_text="Borough most of its incidents fall in.")
    latitude = models.FloatField()
    longitude = models.FloatField()
    value = models.FloatField()
    rank = models.PositiveIntegerField()
    z = models.FloatField(null=True, blank=True)
    p = models.FloatField(null=True, blank=True)
    q = models.FloatField(null=True, blank=True, help_text="Benjamini-Hochberg FDR-adjusted p.")
    significant = models.BooleanField(default=False)

    class Meta:
        app_label = "analytics"
        ordering = ["run", "rank"]
        indexes = [models.Index(fields=["run", "borough_code", "rank"], name="hscell_run_borough_idx")]


class HotspotBacktest(models.Model):
    """Hit rate and PAI at 1/5/10 % of the study area for every method and the two naive baselines."""

    category = models.CharField(max_length=64, blank=True)
    origin_filter = models.CharField(max_length=16, default=HotspotRun.Origin.REPORTED)
    grid_kind = models.CharField(max_length=8)
    resolution = models.PositiveIntegerField()
    test_from = models.DateField()
    periods = models.PositiveIntegerField()
    cells = models.PositiveIntegerField()
    best_method = models.CharField(max_length=32)
    results = models.JSONField(help_text="The backtest command's JSON: methods, baselines, periods.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "analytics"
        ordering = ["-created_at"]


__all__ = ["HotspotBacktest", "HotspotCell", "HotspotRun"]
