from django.contrib import admin

from investigations.models import (
    Action,
    ActionCountSnapshot,
    CdiCheck,
    CustodyEvent,
    EnquiryLogUpdate,
    Investigation,
    OfficerCapacity,
    SupervisorReview,
    Suspect,
    Victim,
    VictimContact,
)


@admin.register(Investigation)
class InvestigationAdmin(admin.ModelAdmin):
    list_display = ["crime_reference", "offence", "offence_class", "status", "team", "officer", "allocated_date"]
    list_filter = ["status", "offence_class", "domestic_abuse", "dpp_designated", "s47zf7_case"]
    search_fields = ["crime_reference", "offence"]
    raw_id_fields = ["officer", "team", "linked_crimes"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["investigation", "kind", "due_on", "state", "team", "officer", "completed_by", "completed_at"]
    list_filter = ["kind", "state"]
    readonly_fields = ["supervisor_reason"]
    search_fields = ["investigation__crime_reference", "title"]
    raw_id_fields = ["investigation", "team", "officer", "completed_by"]


@admin.register(CustodyEvent)
class CustodyEventAdmin(admin.ModelAdmin):
    list_display = ["investigation", "suspect", "kind", "occurred_on", "authorising_rank", "s46a_rearrest"]
    list_filter = ["kind", "s46a_rearrest"]
    raw_id_fields = ["investigation", "suspect"]


@admin.register(OfficerCapacity)
class OfficerCapacityAdmin(admin.ModelAdmin):
    """The force sets how many open actions each officer can carry; the roll-up's load reads it."""

    list_display = ["officer", "capacity", "note"]
    search_fields = ["officer__username", "officer__last_name"]
    raw_id_fields = ["officer"]


for model in (Suspect, Victim, VictimContact, SupervisorReview, EnquiryLogUpdate, CdiCheck, ActionCountSnapshot):
    admin.site.register(model, admin.ModelAdmin)
