from django.conf import settings
from django.db import models

from accounts.models import OrgUnit, User


class Access(models.Model):
    """Carries the permissions of accounts.roles that belong to this app; it has no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_actions", "Open daily actions"),
            ("view_team_queue", "See the team's action queue"),
            ("view_rollup", "See department and BCU roll-ups"),
            ("complete_review", "Complete supervisor reviews"),
            ("reassign_investigation", "Reassign investigations"),
            ("complete_victim_contact", "Complete victim contacts and updates"),
        ]


class Investigation(models.Model):
    """One recorded crime under investigation, as exported from the records-management system."""

    class OffenceClass(models.TextChoices):
        SUMMARY = "summary", "Summary only"
        EITHER_WAY = "either_way", "Either way"
        INDICTABLE = "indictable", "Indictable only"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled (no crime)"

    crime_reference = models.CharField(max_length=40, unique=True)
    offence = models.CharField(max_length=80, help_text="Offence code, e.g. common_assault, burglary_dwelling.")
    offence_class = models.CharField(max_length=12, choices=OffenceClass.choices)
    domestic_abuse = models.BooleanField(default=False)
    offence_date = models.DateField()
    reported_at = models.DateTimeField()
    recorded_at = models.DateTimeField(null=True, blank=True, help_text="When recorded as a crime (NCRS).")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="investigations"
    )
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="investigations")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    outcome = models.CharField(max_length=40, blank=True, help_text="Home Office outcome code, blank while open.")
    outcome_date = models.DateField(null=True, blank=True)
    cancellation_avi = models.TextField(blank=True, help_text="Additional verifiable information for a cancellation.")
    cancelled_date = models.DateField(null=True, blank=True)
    allocated_date = models.DateField(null=True, blank=True)
    linked_crimes = models.ManyToManyField("self", blank=True, symmetrical=True)
    dpp_designated = models.BooleanField(
        "Designated by the DPP",
        default=False,
        help_text="The Director of Public Prosecutions designated the case exceptionally complex (PACE s47ZE(2)): "
        "a chief officer may then extend pre-charge bail to 12 months.",
    )
    s47zf7_case = models.BooleanField(
        "Court found the case within PACE s47ZF(7)",
        default=False,
        help_text="The magistrates' court's first extension runs to 18 months (PACE s47ZF(6)), not 12.",
    )

    class Meta:
        ordering = ["crime_reference"]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["officer", "status"]),
            models.Index(fields=["team", "allocated_date"], name="investigation_team_alloc_idx"),  # roll-up surge
        ]

    def __str__(self) -> str:
        return self.crime_reference

    @property
    def offence_label(self) -> str:
        """The offence code in words for the pages ('burglary_dwelling' -> 'Burglary dwelling'); rules use the code."""
        return self.offence.replace("_", " ").strip().capitalize()


class Suspect(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="suspects")
    reference = models.CharField(max_length=40)
    name = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["investigation", "reference"], name="suspect_unique_ref")]

    def __str__(self) -> str:
        return self.name or self.reference


# Who may authorise a custody decision: an officer of sergeant rank or above (the ranks are accounts.User.Rank's, so a
# force adding a rank changes one place), or a magistrates' court.
NOT_AUTHORISING = {User.Rank.STAFF, User.Rank.CONSTABLE}
AUTHORITY_CHOICES = [(rank, label) for rank, label in User.Rank.choices if rank not in NOT_AUTHORISING] + [
    ("court", "Magistrates' court")
]


class CustodyEvent(models.Model):
    class Kind(models.TextChoices):
        ARREST = "arrest", "Arrest"
        INTERVIEW = "interview", "Interview"
        BAIL_START = "bail_start", "Pre-charge bail"
        BAIL_EXTENSION = "bail_extension", "Bail extension"
        RUI = "rui", "Released under investigation"
        FAILED_TO_SURRENDER = "failed_to_surrender", "Failed to surrender"
        CHARGE = "charge", "Charge"
        RELEASE = "release", "Released (no further action)"
        OUT_OF_COURT = "out_of_court_disposal", "Out-of-court disposal"

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="custody_events")
    suspect = models.ForeignKey(Suspect, on_delete=models.CASCADE, related_name="custody_events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    occurred_on = models.DateField()
    authorising_rank = models.CharField(max_length=24, choices=AUTHORITY_CHOICES, blank=True)
    s46a_rearrest = models.BooleanField(
        "Re-arrest under PACE s46A",
        default=False,
        help_text="An arrest for failing to answer bail: it keeps the original arrest's bail clock and regime.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["suspect", "kind", "occurred_on"], name="custody_event_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class Victim(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="victims")
    reference = models.CharField(max_length=40)
    name = models.CharField(max_length=200, blank=True)
    enhanced_rights = models.BooleanField(default=False, help_text="Victims' Code enhanced-rights victim.")
    statement_received_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["investigation", "reference"], name="victim_unique_ref")]

    def __str__(self) -> str:
        return self.name or self.reference


class VictimContact(models.Model):
    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="contacts")
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="victim_contacts")
    contacted_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["contacted_on"]
        constraints = [models.UniqueConstraint(fields=["victim", "contacted_on"], name="victim_contact_unique")]


class SupervisorReview(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["reviewed_on"]
        constraints = [models.UniqueConstraint(fields=["investigation", "reviewed_on"], name="review_unique_day")]


class EnquiryLogUpdate(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="log_updates")
    logged_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField()

    class Meta:
        ordering = ["logged_on", "id"]


class CdiCheck(models.Model):
    """A failed crime-data-integrity check (Home Office Counting Rules / NCRS) found by the last recompute."""

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="cdi_checks")
    rule_check = models.CharField(max_length=40)
    detail = models.CharField(max_length=300)
    checked_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["investigation", "rule_check"], name="cdi_check_unique")]


class Action(models.Model):
    """A due task. (rule, key) is unique, so recomputing never duplicates. A task closes when the record shows it
    done (the rule stops asking for it); one marked done while its rule still asks reopens at the next recompute,
    unless a supervisor recorded why it is closed anyway (`supervisor_reason`).
    Team and officer are copied from the investigation so queues and roll-ups read one indexed table."""

    class Kind(models.TextChoices):
        BAIL = "bail", "Bail extension decision"
        RUI = "rui", "RUI review"
        TIME_LIMIT = "time_limit", "Statutory time limit"
        VICTIM_CONTACT = "victim_contact", "Victim update"
        REVIEW = "review", "Supervisor review"
        CDI = "cdi", "Crime data integrity"
        SURRENDER = "surrender", "Failed to surrender"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Closed by the record"

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="actions")
    team = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    officer = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=300)
    due_on = models.DateField()
    warning_days = models.PositiveSmallIntegerField(default=0)
    warn_from = models.DateField(help_text="First day the action shows as due soon (due date less its window).")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    rule = models.CharField(max_length=24)
    key = models.CharField(max_length=120)
    created_on = models.DateField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    supervisor_reason = models.TextField(
        blank=True, help_text="Why a supervisor closed the action without the record that would close it."
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="action_unique_rule_key")]
        indexes = [
            models.Index(fields=["state", "team", "kind", "due_on"]),
            models.Index(fields=["state", "officer", "due_on"]),
            models.Index(fields=["state", "team", "due_on"]),
            # The team queue and the roll-ups read only open actions: counts per flag and kind, the page by due date,
            # per team and per officer, all from this index alone (index-only scans once vacuumed).
            models.Index(
                fields=["team", "due_on", "kind", "warn_from", "officer"],
                condition=models.Q(state="open"),
                name="action_open_team_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class ActionCountSnapshot(models.Model):
    """Outstanding and overdue actions per team and kind at the end of one day: the trend."""

    day = models.DateField()
    team = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Action.Kind.choices)
    outstanding = models.PositiveIntegerField()
    overdue = models.PositiveIntegerField()

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["day", "team", "kind"], name="snapshot_unique_day")]
        # The roll-up's trend sums its teams' last days from this index alone (PostgreSQL; SQLite ignores INCLUDE).
        indexes = [
            models.Index(
                fields=["team", "day"], include=["kind", "outstanding", "overdue"], name="snapshot_team_day_idx"
            )
        ]


class OfficerCapacity(models.Model):
    """How many open actions the force expects one officer to carry (part-time, restricted duties, a tutor...)."""

    officer = models.OneToOneField(User, on_delete=models.CASCADE, related_name="action_capacity")
    capacity = models.PositiveSmallIntegerField(help_text="Open daily actions this officer can carry.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "officer capacities"

    def __str__(self) -> str:
        return f"{self.officer}: {self.capacity}"
