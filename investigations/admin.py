from django.contrib import admin

from investigations.models import (
    Action,
    ActionCountSnapshot,
    CdiCheck,
    CustodyEvent,
    EnquiryLogUpdate,
    Investigation,
    SupervisorReview,
    Suspect,
    Victim,
    VictimContact,
)


@admin.register(Investigation)
class InvestigationAdmin(admin.ModelAdmin):
    list_display = ["crime_reference", "offence", "offence_class", "status", "team", "officer", "allocated_date"]
    list_filter = ["status", "offence_class", "domestic_abuse"]
    search_fields = ["crime_reference", "offence"]
    raw_id_fields = ["officer", "team", "linked_crimes"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["investigation", "kind", "due_on", "state", "team", "officer", "completed_by", "completed_at"]
    list_filter = ["kind", "state"]
    search_fields = ["investigation__crime_reference", "title"]
    raw_id_fields = ["investigation", "team", "officer", "completed_by"]


@admin.register(CustodyEvent)
class CustodyEventAdmin(admin.ModelAdmin):
    list_display = ["investigation", "suspect", "kind", "occurred_on", "authorising_rank"]
    list_filter = ["kind"]
    raw_id_fields = ["investigation", "suspect"]


for model in (Suspect, Victim, VictimContact, SupervisorReview, EnquiryLogUpdate, CdiCheck, ActionCountSnapshot):
    admin.site.register(model, admin.ModelAdmin)
