from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.audit import audit_event
from accounts.models import AuditEvent, OrgUnit, User


def locked_usernames(usernames) -> set[str]:
    from django.conf import settings

    attempts = AccessAttempt.objects.filter(
        username__in=list(usernames), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    return set(attempts.values_list("username", flat=True))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "unit", "rank", "is_active", "locked_out")
    list_filter = ("role", "is_active", "unit__kind", "rank")
    search_fields = ("username", "first_name", "last_name", "email", "unit__name")
    autocomplete_fields = ("unit",)
    actions = ["unlock"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "rank")}),
        ("Role and unit", {"fields": ("role", "unit", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "role", "unit", "rank")}),
    )

    @admin.display(boolean=True, description="Locked out")
    def locked_out(self, obj: User) -> bool:
        return obj.username in locked_usernames([obj.username])

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.action(description="Unlock selected users (clear failed logins)")
    def unlock(self, request, queryset):
        for user in queryset:
            reset(username=user.username)
            audit_event(action=AuditEvent.Action.UNLOCK, request=request, target=f"user:{user.username}")
        messages.success(request, f"Unlocked {queryset.count()} user(s).")


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "parent", "area_code")
    list_filter = ("kind",)
    search_fields = ("name", "code", "area_code")
    autocomplete_fields = ("parent",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: nobody can add, change or delete audit records through the UI."""

    list_display = ("at", "username", "action", "target", "outcome", "ip_address")
    list_filter = ("action", "outcome", "at")
    search_fields = ("username", "target", "ip_address")
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
