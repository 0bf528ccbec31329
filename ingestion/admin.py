"""Admin of ingestion: import runs and their rejected rows (read-only records), live dispatch updates, and the
category overrides a force keeps for its own call descriptions (editable)."""

from django import forms
from django.contrib import admin

from ingestion.models import CategoryOverride, DispatchUpdate, ImportRun, RejectedRow
from ingestion.taxonomy import categories, category_label


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by importers: looked at and filtered, never edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RejectedRowInline(admin.TabularInline):
    model = RejectedRow
    fields = ["line_number", "reason", "raw_text"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    show_change_link = True
    can_delete = False


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "source", "target", "status", "started_at", "finished_at", "rows_read", "rows_inserted",
                    "rows_updated", "rows_duplicate", "rows_rejected"]  # fmt: skip
    list_filter = ["source", "status", ("started_at", admin.DateFieldListFilter)]
    search_fields = ["target", "error"]
    date_hierarchy = "started_at"
    inlines = [RejectedRowInline]


@admin.register(RejectedRow)
class RejectedRowAdmin(ReadOnlyAdmin):
    list_display = ["run", "line_number", "reason"]
    list_filter = ["run__source", "run__status", ("run__started_at", admin.DateFieldListFilter)]
    search_fields = ["reason", "raw_text"]
    list_select_related = ["run"]


@admin.register(DispatchUpdate)
class DispatchUpdateAdmin(ReadOnlyAdmin):
    list_display = ["incident_key", "status", "updated_at", "received_at"]
    list_filter = ["status", ("updated_at", admin.DateFieldListFilter)]
    search_fields = ["incident_key"]
    raw_id_fields = ["incident"]


class CategoryOverrideForm(forms.ModelForm):
    category = forms.ChoiceField(help_text="The category calls with this description fall in.")

    class Meta:
        model = CategoryOverride
        fields = ["source", "raw_description", "category", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(slug, f"{category_label(slug)} ({slug})") for slug in categories()]


@admin.register(CategoryOverride)
class CategoryOverrideAdmin(admin.ModelAdmin):
    """A force's own words: applied at import before the shipped patterns; `manage.py recategorise` applies an edit
    to the calls already stored."""

    form = CategoryOverrideForm
    list_display = ["raw_description", "category", "source", "note", "updated_at"]
    list_filter = ["source", "category"]
    search_fields = ["raw_description", "note"]
