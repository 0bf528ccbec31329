from django.conf import settings
from django.db import models


class Access(models.Model):
    """Carries the permissions of accounts.roles that belong to this app; it has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("import_data", "Import data files"),
            ("post_dispatch", "Post live dispatch (CAD) updates"),
        ]


class Area(models.Model):
    """A place incidents fall in: force, borough/BCU, LSOA, police district, neighborhood, post, ZIP, H3 cell.

    `code` is the official code where there is one (GSS codes such as E09000033, LSOA E01004736); otherwise it is
    prefixed by source and kind (for example `bal-district:NORTHERN`) so codes never collide across kinds.
    """

    class Kind(models.TextChoices):
        FORCE = "force", "Force"
        BOROUGH = "borough", "Borough"
        BCU = "bcu", "BCU"
        LSOA = "lsoa", "LSOA"
        DISTRICT = "district", "Police district"
        NEIGHBORHOOD = "neighborhood", "Neighborhood"
        POST = "post", "Police post"
        ZIP = "zip", "ZIP code"
        H3 = "h3", "H3 cell"

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        to_field="code",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="children",
    )
    population = models.PositiveIntegerField(null=True, blank=True, help_text="Latest known residents.")
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry in WGS84.")
    outline = models.JSONField(
        null=True, blank=True, help_text="The boundary simplified to about 30 m, as maps draw it (set on import)."
    )

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


def _area_link(related_name: str, help_text: str):
    # Links hold the Area code itself, so the bulk loader can COPY codes without a lookup. No index of their own:
    # pages read rollups, and every index here (Django would add two per link) is paid on each imported row.
    return models.ForeignKey(
        Area,
        to_field="code",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name=related_name,
        help_text=help_text,
    )


class ImportRun(models.Model):
    """One import of one file or API request. rows_read = inserted + updated + duplicates + rejected."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=32, db_index=True)
    target = models.CharField(max_length=500, help_text="File path or API request.")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING, db_index=True)
    rows_read = models.PositiveBigIntegerField(default=0)
    rows_inserted = models.PositiveBigIntegerField(default=0)
    rows_updated = models.PositiveBigIntegerField(default=0)
    rows_duplicate = models.PositiveBigIntegerField(default=0)
    rows_rejected = models.PositiveBigIntegerField(default=0)
    coordinates_dropped = models.PositiveBigIntegerField(default=0)
    months_touched = models.JSONField(default=list, blank=True, help_text="YYYY-MM strings, for incremental refresh.")
    areas_touched = models.JSONField(default=list, blank=True, help_text="Area codes, for incremental refresh.")
    stats = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.target} ({self.status})"


class RejectedRow(models.Model):
    """An input row kept in quarantine with its line number and the reason it was not imported."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejected_rows")
    line_number = models.PositiveBigIntegerField()
    raw_text = models.TextField()
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["run", "line_number"]


class Incident(models.Model):
    """One crime, ASB report, call for service or stop, from any source. (source, source_key) is unique."""

    class Kind(models.TextChoices):
        CRIME = "crime", "Crime"
        ASB = "asb", "Anti-social behaviour"
        CALL = "call", "Call for service"
        STOP = "stop", "Stop and search"

    class Precision(models.TextChoices):
        MONTH = "month", "Month"
        DAY = "day", "Day"
        MINUTE = "minute", "Minute"

    class Origin(models.TextChoices):
        PUBLIC_REPORT = "public_report", "Public report"
        POLICE_GENERATED = "police_generated", "Police generated"
        UNKNOWN = "unknown", "Unknown"

    source = models.CharField(max_length=32)
    source_key = models.CharField(max_length=128)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    category = models.CharField(max_length=64, help_text="Normalised category (taxonomy slug).")
    raw_category = models.CharField(max_length=255, blank=True)
    occurred_at = models.DateTimeField()
    time_precision = models.CharField(max_length=8, choices=Precision.choices)
    # Local time in the source's own zone, derived once at import: hour, weekday and day views group by these and
    # never by the site's TIME_ZONE (a US city's calls read in London hours put its quiet night at 10 am).
    time_zone = models.CharField(max_length=64, blank=True, help_text="IANA zone of the source, e.g. America/Chicago.")
    local_date = models.DateField(null=True, blank=True, help_text="Day in the source's zone.")
    local_hour = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Hour 0-23 in the source's zone.")
    local_weekday = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="ISO weekday 1 (Monday) to 7 in the source's zone."
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    h3_cell = models.CharField(max_length=16, blank=True, help_text="H3 cell at resolution 9.")
    location_text = models.CharField(max_length=255, blank=True)
    force = _area_link("+", "Force area.")
    borough = _area_link("+", "BCU-level area: London borough or police district.")
    lsoa = _area_link("+", "LSOA (England and Wales).")
    neighborhood = _area_link("+", "Neighborhood.")
    post = _area_link("+", "Police post / beat.")
    zip_code = _area_link("+", "ZIP code.")
    priority = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=128, blank=True)
    outcome_history = models.JSONField(default=list, blank=True, help_text="[{'date': 'YYYY-MM', 'category': ...}]")
    context = models.TextField(blank=True)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.UNKNOWN)
    # A call's lifecycle (received is occurred_at); null where the source records no such time.
    dispatched_at = models.DateTimeField(null=True, blank=True, help_text="When a unit was assigned.")
    en_route_at = models.DateTimeField(null=True, blank=True, help_text="When the unit set off.")
    on_scene_at = models.DateTimeField(null=True, blank=True, help_text="When the first unit arrived.")
    cleared_at = models.DateTimeField(null=True, blank=True, help_text="When the last unit left the scene.")
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_key"], name="incident_source_key_unique")]
        # (time, id) is the incident list's keyset order: monthly police.uk rows share one timestamp by the thousand,
        # so an index on time alone leaves a sort of every row of a month before the first page.
        # The pages' Incident reads (latest feed, map points, list pages) are ORDER BY time, id DESC LIMIT n under
        # one filter-bar choice: each choice leads its own (column, time, id) index, so the scan stops after n rows
        # instead of walking the whole table backwards past rows the filter drops (kind=stop: 663,847 rows, 3.2 s).
        # A scan uses one of them, the one of the most selective equality. Links a source never fills (LSOA for US
        # calls, neighborhood/post/ZIP for police.uk) are indexed only where set, so their rows cost no index write.
        indexes = [
            models.Index(fields=["occurred_at", "id"], name="incident_time_id_idx"),
            models.Index(fields=["borough", "occurred_at", "id"], name="incident_borough_time_id_idx"),
            # category alone leads: a category filter rarely names the kind, and each category belongs to one kind
            models.Index(fields=["category", "occurred_at", "id"], name="incident_category_time_id_idx"),
            models.Index(fields=["kind", "occurred_at", "id"], name="incident_kind_time_id_idx"),
            models.Index(fields=["source", "occurred_at", "id"], name="incident_source_time_id_idx"),
            models.Index(fields=["force", "occurred_at", "id"], name="incident_force_time_id_idx"),
            *(
                models.Index(
                    fields=[link, "occurred_at", "id"], name=name, condition=models.Q(**{f"{link}__isnull": False})
                )
                for link, name in (
                    ("lsoa", "incident_lsoa_time_id_idx"),
                    ("neighborhood", "incident_nbhd_time_id_idx"),
                    ("post", "incident_post_time_id_idx"),
                    ("zip_code", "incident_zip_time_id_idx"),
                )
            ),
            models.Index(fields=["h3_cell", "occurred_at", "id"], name="incident_h3_time_id_idx"),
            # the live feed (minute precision only): without it, a force whose newest rows are monthly police.uk
            # crimes walks all of them before its first call, and one with no timed source walks every row
            models.Index(
                fields=["occurred_at", "id"],
                name="incident_minute_time_id_idx",
                condition=models.Q(time_precision="minute"),
            ),
            # ... and in an LSOA: only police.uk names LSOAs here, and its crimes are monthly, so the feed for an
            # LSOA walked all of the LSOA's rows to find none (10 ms at 1 M incidents, 1.2 s when not in memory)
            models.Index(
                fields=["lsoa", "occurred_at", "id"],
                name="incident_lsoa_minute_idx",
                condition=models.Q(time_precision="minute", lsoa__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_key}"


class Population(models.Model):
    """Usual residents by area and year (Census 2021 by LSOA, mid-year estimates, ...)."""

    area_code = models.CharField(max_length=64, db_index=True)
    year = models.PositiveSmallIntegerField()
    population = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area_code", "year"], name="population_area_year_unique")]


class Deprivation(models.Model):
    """English Indices of Deprivation 2019 by LSOA (2011 codes), every domain: score, rank and decile."""

    lsoa_code = models.CharField(max_length=16, unique=True)
    lsoa_name = models.CharField(max_length=200, blank=True)
    borough_code = models.CharField(max_length=16, blank=True)
    borough_name = models.CharField(max_length=200, blank=True)
    imd_score = models.FloatField(null=True)
    imd_rank = models.PositiveIntegerField(null=True)
    imd_decile = models.PositiveSmallIntegerField(null=True)
    domains = models.JSONField(default=dict, help_text="{domain: {'score': x, 'rank': n, 'decile': d}}")


class BoroughResources(models.Model):
    """Budget and strength of a borough/BCU in a financial year."""

    area_code = models.CharField(max_length=64)
    year = models.PositiveSmallIntegerField()
    budget_gbp = models.DecimalField(max_digits=14, decimal_places=2)
    officers = models.PositiveIntegerField()
    staff = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area_code", "year"], name="resources_area_year_unique")]


class CategoryOverride(models.Model):
    """A force's own word for a raw description: raw description -> category, applied at import before the shipped
    taxonomy, and to stored incidents by `manage.py recategorise`."""

    source = models.CharField(max_length=32, blank=True, help_text="Source it applies to; blank for every source.")
    raw_description = models.CharField(
        max_length=255, help_text="Description as the export writes it (matched upper-cased, punctuation folded)."
    )
    category = models.CharField(max_length=64, help_text="Category slug, e.g. 'welfare-check'.")
    note = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source", "raw_description"]
        constraints = [models.UniqueConstraint(fields=["source", "raw_description"], name="category_override_unique")]

    def __str__(self) -> str:
        return f"{self.raw_description} -> {self.category}"


class DispatchUpdate(models.Model):
    """One status change of a live CAD incident as the dispatch system posted it; (incident_key, updated_at) is
    unique, so a repeated post changes nothing."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        DISPATCHED = "dispatched", "Dispatched"
        EN_ROUTE = "en_route", "En route"
        ON_SCENE = "on_scene", "On scene"
        RESOLVED = "resolved", "Resolved"
        CANCELLED = "cancelled", "Cancelled"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="dispatch_updates")
    incident_key = models.CharField(max_length=128)
    status = models.CharField(max_length=16, choices=Status.choices)
    updated_at = models.DateTimeField(help_text="When the dispatch system made the change.")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["updated_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["incident_key", "updated_at"], name="dispatch_update_key_time_unique")
        ]
        indexes = [models.Index(fields=["updated_at"], name="dispatch_update_time_idx")]

    def __str__(self) -> str:
        return f"{self.incident_key} {self.status} at {self.updated_at:%Y-%m-%d %H:%M}"


class ImportUpload(models.Model):
    """A file an analyst uploaded on /imports/, and how far its import task has got (the page polls this)."""

    class Importer(models.TextChoices):
        POLICE_UK = "police_uk", "data.police.uk archive (zip or CSV)"
        CALLS = "calls", "Calls for service CSV (Baltimore layouts)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    importer = models.CharField(max_length=16, choices=Importer.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveBigIntegerField(default=0)
    run_ids = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
