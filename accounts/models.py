from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from accounts.roles import ROLE_CHOICES


class OrgUnit(models.Model):
    """A node of the force's structure: force > BCU/borough > department > team."""

    class Kind(models.TextChoices):
        FORCE = "force", "Force"
        BCU = "bcu", "BCU / borough"
        DEPARTMENT = "department", "Department"
        TEAM = "team", "Team"

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    area_code = models.CharField(
        max_length=64, blank=True, help_text="Code of the Area (borough or district) this BCU polices."
    )
    path = models.CharField(max_length=500, editable=False, db_index=True, help_text="Materialised ancestry path.")

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "/") + self.code + "/"
        super().save(*args, **kwargs)

    def ancestor(self, kind: str) -> "OrgUnit | None":
        unit = self
        while unit is not None and unit.kind != kind:
            unit = unit.parent
        return unit


class User(AbstractUser):
    """A member of staff. The role decides which pages open; the unit decides which rows are seen."""

    class Rank(models.TextChoices):
        STAFF = "staff", "Police staff"
        CONSTABLE = "constable", "Constable"
        SERGEANT = "sergeant", "Sergeant"
        INSPECTOR = "inspector", "Inspector"
        CHIEF_INSPECTOR = "chief_inspector", "Chief Inspector"
        SUPERINTENDENT = "superintendent", "Superintendent"
        CHIEF_SUPERINTENDENT = "chief_superintendent", "Chief Superintendent"
        CHIEF_OFFICER = "chief_officer", "Chief officer"

    role = models.CharField(max_length=16, choices=ROLE_CHOICES)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    rank = models.CharField(max_length=24, choices=Rank.choices, default=Rank.STAFF)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AuditEvent(models.Model):
    """Who did what, when, from where, with what outcome (DPA 2018 s62 logging). Append-only: on PostgreSQL a
    trigger refuses UPDATE and DELETE except through accounts_auditevent_purge() (migration 0004)."""

    class Action(models.TextChoices):
        LOGIN = "login", "Login"
        LOGIN_FAILED = "login_failed", "Failed login"
        LOGOUT = "logout", "Logout"
        LOCKOUT = "lockout", "Lockout"
        UNLOCK = "unlock", "Unlock"
        VIEW = "view", "Page view"
        EXPORT = "export", "Export"
        API_READ = "api_read", "API read"
        IMPORT = "import", "Import"
        ADMIN_CHANGE = "admin_change", "Admin change"
        UPDATE = "update", "Update"
        TWO_FACTOR = "two_factor", "Two-factor"
        PURGE = "purge", "Audit purge"
        SCHEDULE = "schedule", "Schedule change"
        TOKEN = "token", "API token"
        DISPATCH = "dispatch", "Dispatch update"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        DENIED = "denied", "Denied"
        FAILED = "failed", "Failed"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True, db_index=True)
    action = models.CharField(max_length=16, choices=Action.choices, db_index=True)
    target = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.target}"
