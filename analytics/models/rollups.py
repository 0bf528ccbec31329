"""Precomputed counts that every dashboard and API endpoint reads instead of the raw Incident table.

Every row carries `borough_code` (the borough/district its incidents fall in, '' when unknown), so scoping a
commander to a BCU is one indexed filter at every level, and a refresh can replace one month x borough slice. Each
table is unique on its grain (the columns its rows are grouped by), so no refresh can count an incident twice; the
unique index leads with the columns of an index it replaced, so it costs a refresh no extra index.
"""

from datetime import timedelta

from django.db import models


class Level(models.TextChoices):
    """Area levels a rollup is kept at; each is one Incident area link (or the H3 cell)."""

    FORCE = "force", "Force"
    BOROUGH = "borough", "Borough / BCU / district"
    LSOA = "lsoa", "LSOA"
    NEIGHBORHOOD = "neighborhood", "Neighborhood"
    POST = "post", "Police post"
    ZIP = "zip", "ZIP code"
    H3 = "h3", "H3 cell (res 9)"


class AreaMonthRollup(models.Model):
    """An area at a level, the borough it lies in, a month and a kind of incident: the dimensions of every rollup."""

    level = models.CharField(max_length=16, choices=Level.choices)
    area_code = models.CharField(max_length=64)
    borough_code = models.CharField(max_length=64, blank=True)
    month = models.DateField(help_text="First day of the month (local time).")
    kind = models.CharField(max_length=8)
    count = models.PositiveIntegerField()

    class Meta:
        abstract = True
        app_label = "analytics"


class AreaRollup(AreaMonthRollup):
    """Counts by category as well; concrete rollups add their own (weekday and hour, day and priority, origin,
    outcome)."""

    category = models.CharField(max_length=64)

    class Meta:
        abstract = True
        app_label = "analytics"


class MonthlyCount(AreaRollup):
    """Incidents per area x month x category x kind x origin x source."""

    origin = models.CharField(max_length=16)
    source = models.CharField(max_length=32)

    class Meta:
        app_label = "analytics"
        indexes = [
            models.Index(fields=["month", "borough_code"], name="mc_month_borough_idx"),
            models.Index(fields=["level", "month"], name="mc_level_month_idx"),
            models.Index(fields=["level", "borough_code", "month"], name="mc_level_borough_month_idx"),
            models.Index(fields=["level", "category", "month"], name="mc_level_category_month_idx"),
            models.Index(fields=["month", "id"], name="mc_month_id_idx"),  # the API's cursor pages
            # ... and its pages of one category: without it, a category with few or no rows scans the whole table
            models.Index(fields=["category", "month", "id"], name="mc_category_month_id_idx"),
            # ... and its pages of one area (area_code OR borough_code, at any level): without them, a parallel scan
            # of the whole table (0.2-0.6 s at 1 M incidents)
            models.Index(fields=["area_code", "month", "id"], name="mc_area_month_id_idx"),
            models.Index(fields=["borough_code", "month", "id"], name="mc_borough_month_id_idx"),
        ]
        # the grain (led by level, area, month: it also serves what an index on those served)
        constraints = [
            models.UniqueConstraint(
                fields=["level", "area_code", "month", "borough_code", "category", "kind", "origin", "source"],
                name="mc_grain_unique",
            )
        ]


# The grain of the H3 tables by category and origin, and of their sums over both
CELL_COUNT_GRAIN = ["area_code", "month", "borough_code", "category", "kind", "origin", "source"]
CELL_TOTAL_GRAIN = ["area_code", "month", "borough_code", "kind", "source"]


def _cell_table_meta(prefix: str, grain: list[str]) -> tuple[list, list]:
    """(indexes, constraints) of an H3 table, monthly or yearly, named by `prefix`: a month's (year's) slice, a
    category's months where the table has categories, and the unique grain."""
    indexes = [models.Index(fields=["month", "borough_code"], name=f"{prefix}_month_borough_idx")]
    if "category" in grain:
        indexes.append(models.Index(fields=["category", "month"], name=f"{prefix}_category_month_idx"))
    return indexes, [models.UniqueConstraint(fields=grain, name=f"{prefix}_grain_unique")]


class H3MonthlyCount(AreaRollup):
    """MonthlyCount's H3-cell level, in a table of its own. At resolution 9 nearly every incident is a cell, month and
    category of its own, so this level holds about one row per incident: apart from MonthlyCount, a refresh writes
    it into three indexes (the grain, a month's slice, a category's months) where MonthlyCount keeps nine for the
    API's pages. An H3 map with a category chosen reads it; without one, H3MonthTotal. analytics.selectors.
    visible_rollups reads it for level 'h3'."""

    origin = models.CharField(max_length=16)
    source = models.CharField(max_length=32)

    class Meta:
        app_label = "analytics"
        indexes, constraints = _cell_table_meta("h3mc", CELL_COUNT_GRAIN)


class H3MonthTotal(AreaMonthRollup):
    """H3MonthlyCount summed over category and origin: what an H3 map without a category reads. A cell's month holds
    several categories, so it keeps far fewer rows: 169,687 against 594,612 for bench.pages' 1 M incidents."""

    source = models.CharField(max_length=32)

    class Meta:
        app_label = "analytics"
        indexes, constraints = _cell_table_meta("h3mt", CELL_TOTAL_GRAIN)


class H3YearlyCount(AreaRollup):
    """H3MonthlyCount summed over the months of each year (`month` holds the year's first day): an H3 map of a long
    period reads its whole years here and only the months either side monthly (analytics.selectors). A cell keeps a
    third of its monthly rows: 167,754 against 594,612 for bench.pages' 1 M incidents."""

    origin = models.CharField(max_length=16)
    source = models.CharField(max_length=32)

    class Meta:
        app_label = "analytics"
        indexes, constraints = _cell_table_meta("h3yc", CELL_COUNT_GRAIN)


class H3YearTotal(AreaMonthRollup):
    """H3MonthTotal summed over the months of each year (`month` holds the year's first day), as H3YearlyCount is
    H3MonthlyCount's: 25,122 rows against 169,687 for bench.pages' 1 M incidents."""

    source = models.CharField(max_length=32)

    class Meta:
        app_label = "analytics"
        indexes, constraints = _cell_table_meta("h3yt", CELL_TOTAL_GRAIN)


class RefreshSlice(models.Model):
    """The incidents of one refresh slice (a local month x its boroughs), with the columns the rollups group by: the
    refresh copies them into a temporary table of this name, then groups every level of every rollup from it
    (analytics.rollups). Read once, where each level read Incident again; and the planner knows the copy's size, where
    its estimate of a month's rows of Incident was a fortieth of them (it then sorted where hashing was faster). Not
    a table of the schema: each month's refresh transaction creates and drops it."""

    force_id = models.CharField(max_length=64, null=True)
    borough_id = models.CharField(max_length=64, null=True)
    lsoa_id = models.CharField(max_length=64, null=True)
    neighborhood_id = models.CharField(max_length=64, null=True)
    post_id = models.CharField(max_length=64, null=True)
    zip_code_id = models.CharField(max_length=64, null=True)
    h3_cell = models.CharField(max_length=16)
    category = models.CharField(max_length=64)
    kind = models.CharField(max_length=16)
    origin = models.CharField(max_length=16)
    source = models.CharField(max_length=32)
    time_precision = models.CharField(max_length=8)
    local_date = models.DateField(null=True)
    local_hour = models.PositiveSmallIntegerField(null=True)
    local_weekday = models.PositiveSmallIntegerField(null=True)
    priority = models.CharField(max_length=32)
    outcome = models.CharField(max_length=128)

    class Meta:
        app_label = "analytics"
        managed = False
        db_table = "analytics_refresh_slice"


class AreaMonthTotal(AreaMonthRollup):
    """MonthlyCount summed over category and origin: what a map or a top-areas chart reads when no category is
    chosen. At LSOA and neighborhood level it holds a small fraction of MonthlyCount's rows."""

    source = models.CharField(max_length=32)

    class Meta:
        app_label = "analytics"
        indexes = [
            models.Index(fields=["month", "borough_code"], name="amt_month_borough_idx"),
            models.Index(fields=["level", "month"], name="amt_level_month_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "borough_code", "month", "area_code", "kind", "source"], name="amt_grain_unique"
            )
        ]


class HourWeekdayColumns(models.Model):
    """ISO weekday (1 = Monday), hour and source: the grain the hour tables add to area x month x kind."""

    weekday = models.PositiveSmallIntegerField()
    hour = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=32)

    class Meta:
        abstract = True


class HourWeekdayCount(AreaRollup, HourWeekdayColumns):
    """Minute-precision incidents per area x month x ISO weekday (1 = Monday) x hour x category x kind."""

    class Meta:
        app_label = "analytics"
        indexes = [
            models.Index(fields=["month", "borough_code"], name="hw_month_borough_idx"),
            models.Index(fields=["level", "month"], name="hw_level_month_idx"),
            # a chosen category reads this table (HourWeekdayTotal has none): without it, every row of the level.
            # Covering every column the hour reads filter on or sum, so they scan the index alone (the full
            # refresh leaves the table vacuumed): a category's force-level rows lie scattered over thousands of
            # heap pages of a table far larger than shared_buffers (0.3-0.9 s cold at 1 M incidents)
            models.Index(
                fields=["level", "category", "month"],
                include=["kind", "source", "area_code", "borough_code", "weekday", "hour", "count"],
                name="hw_level_category_cover_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "area_code", "month", "borough_code", "weekday", "hour", "category", "kind", "source"],
                name="hw_grain_unique",
            )
        ]


class HourWeekdayTotal(AreaMonthRollup, HourWeekdayColumns):
    """HourWeekdayCount summed over category: the hour-by-weekday pattern of any period, read when no category is
    chosen (a fifth of the rows at force level)."""

    class Meta:
        app_label = "analytics"
        indexes = [
            models.Index(fields=["month", "borough_code"], name="hwt_month_borough_idx"),
            models.Index(fields=["level", "month"], name="hwt_level_month_idx"),
            # an area or a commander's scope (borough_code at every level): the grain key reached borough_code only
            # by scanning the whole level (1,760 pages at 1 M incidents)
            models.Index(fields=["level", "borough_code", "month"], name="hwt_level_borough_month_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "area_code", "month", "borough_code", "weekday", "hour", "kind", "source"],
                name="hwt_grain_unique",
            )
        ]


class DailyCount(AreaRollup):
    """Day- or minute-precision incidents per area x day x category x kind x priority (demand, holiday effects)."""

    day = models.DateField()
    source = models.CharField(max_length=32)
    priority = models.CharField(max_length=32, blank=True)

    class Meta:
        app_label = "analytics"
        indexes = [
            models.Index(fields=["month", "borough_code"], name="dc_month_borough_idx"),
            models.Index(fields=["level", "day"], name="dc_level_day_idx"),
            # covering, as HourWeekdayCount's: a category's days (the overdose weekdays, a category's priorities)
            # lay over hundreds of heap pages of a table far larger than shared_buffers (0.1-0.36 s cold at 1 M)
            models.Index(
                fields=["level", "category", "day"],
                include=["kind", "source", "area_code", "borough_code", "priority", "count"],
                name="dc_level_category_cover_idx",
            ),
        ]
        # the day decides the month
        constraints = [
            models.UniqueConstraint(
                fields=["level", "area_code", "day", "borough_code", "category", "kind", "source", "priority"],
                name="dc_grain_unique",
            )
        ]


class PriorityMonthTotal(AreaMonthRollup):
    """DailyCount summed over day and category: the priority mix of calls over any period, read when no category
    is chosen."""

    source = models.CharField(max_length=32)
    priority = models.CharField(max_length=32, blank=True)

    class Meta:
        app_label = "analytics"
        indexes = [
            models.Index(fields=["month", "borough_code"], name="pmt_month_borough_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "month", "area_code", "borough_code", "kind", "source", "priority"],
                name="pmt_grain_unique",
            )
        ]


class OutcomeCount(AreaRollup):
    """Incidents per borough-or-force x month x category x last outcome ('' = none recorded)."""

    outcome = models.CharField(max_length=128, blank=True)

    class Meta:
        app_label = "analytics"
        indexes = [
            models.Index(fields=["month", "borough_code"], name="oc_month_borough_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "area_code", "month", "borough_code", "category", "kind", "outcome"],
                name="oc_grain_unique",
            )
        ]


class RefreshRun(models.Model):
    """One analytics refresh: what it covered and how long it took."""

    run_id = models.BigIntegerField(null=True, blank=True, help_text="ImportRun that triggered it.")
    full = models.BooleanField(default=False)
    months = models.JSONField(default=list, blank=True)
    boroughs = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(null=True, blank=True)
    rows = models.JSONField(default=dict, blank=True, help_text="Rows written per rollup table.")
    incidents_through = models.BigIntegerField(
        null=True, blank=True, help_text="The highest Incident id when the refresh began: rows above it are newer."
    )

    class Meta:
        app_label = "analytics"
        ordering = ["-started_at"]

    @property
    def began_at(self):
        """started_at is stamped when the run is recorded, at its end."""
        return self.started_at - timedelta(seconds=self.seconds or 0)


class SeasonalDecomposition(models.Model):
    """STL decomposition of a monthly series (area x category; category '' = all)."""

    area_code = models.CharField(max_length=64)
    borough_code = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=64, blank=True)
    months = models.JSONField(default=list)
    observed = models.JSONField(default=list)
    trend = models.JSONField(default=list)
    seasonal = models.JSONField(default=list)
    resid = models.JSONField(default=list)
    seasonal_strength = models.FloatField(null=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "analytics"
        constraints = [models.UniqueConstraint(fields=["area_code", "category"], name="stl_area_category_unique")]


class CalendarEffect(models.Model):
    """Mean daily count on weekend / bank-holiday days against other days, for day- or minute-precision data."""

    class Effect(models.TextChoices):
        WEEKEND = "weekend", "Weekend"
        HOLIDAY = "bank_holiday", "Bank holiday"

    area_code = models.CharField(max_length=64)
    borough_code = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=64, blank=True)
    effect = models.CharField(max_length=16, choices=Effect.choices)
    days_on = models.PositiveIntegerField()
    days_off = models.PositiveIntegerField()
    mean_on = models.FloatField()
    mean_off = models.FloatField()
    ratio = models.FloatField(null=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "analytics"
        constraints = [
            models.UniqueConstraint(fields=["area_code", "category", "effect"], name="effect_area_cat_unique")
        ]


class ContextSeries(models.Model):
    """Optional context shown against demand: weather, events, school terms (loaded by import_context)."""

    name = models.CharField(max_length=64)
    date = models.DateField()
    value = models.FloatField()
    label = models.CharField(max_length=200, blank=True)

    class Meta:
        app_label = "analytics"
        verbose_name_plural = "context series"
        constraints = [models.UniqueConstraint(fields=["name", "date"], name="context_name_date_unique")]
        indexes = [models.Index(fields=["date"], name="context_date_idx")]


__all__ = [
    "Level",
    "MonthlyCount",
    "H3MonthlyCount",
    "H3MonthTotal",
    "H3YearlyCount",
    "H3YearTotal",
    "RefreshSlice",
    "AreaMonthTotal",
    "PriorityMonthTotal",
    "HourWeekdayCount",
    "HourWeekdayTotal",
    "DailyCount",
    "OutcomeCount",
    "RefreshRun",
    "SeasonalDecomposition",
    "CalendarEffect",
    "ContextSeries",
]
