"""Admin for the analytics foundation: alerts are editable; computed results are read-only (a refresh rebuilds them)."""

from django.contrib import admin

from analytics.models import (
    Alert,
    CalendarEffect,
    ContextSeries,
    CorrelationResult,
    MonthlyCount,
    RefreshRun,
    ResponseTarget,
    SeasonalDecomposition,
    StrategicMetric,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["period_start", "period", "area_code", "category", "direction", "observed", "expected", "state"]
    list_filter = ["state", "direction", "period", "level"]
    search_fields = ["area_code", "category"]
    readonly_fields = ["observed", "expected", "lower", "upper", "p_value", "created_at", "acted_by", "acted_at"]


@admin.register(RefreshRun)
class RefreshRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "run_id", "full", "seconds"]
    list_filter = ["full"]


@admin.register(MonthlyCount)
class MonthlyCountAdmin(ReadOnlyAdmin):
    list_display = ["month", "level", "area_code", "category", "kind", "origin", "source", "count"]
    list_filter = ["level", "kind", "origin"]
    search_fields = ["area_code", "category"]
    show_full_result_count = False  # the table is large


@admin.register(SeasonalDecomposition)
class SeasonalDecompositionAdmin(ReadOnlyAdmin):
    list_display = ["area_code", "category", "seasonal_strength", "computed_at"]


@admin.register(CalendarEffect)
class CalendarEffectAdmin(ReadOnlyAdmin):
    list_display = ["area_code", "effect", "mean_on", "mean_off", "ratio"]


@admin.register(CorrelationResult)
class CorrelationResultAdmin(ReadOnlyAdmin):
    list_display = ["kind", "key", "n", "rho", "ci_low", "ci_high", "computed_at"]
    exclude = ["data"]


@admin.register(StrategicMetric)
class StrategicMetricAdmin(ReadOnlyAdmin):
    list_display = ["area_code", "year", "recorded", "resolution_rate", "crimes_per_officer", "budget_per_crime"]
    list_filter = ["year"]


@admin.register(ContextSeries)
class ContextSeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "date", "value", "label"]
    list_filter = ["name"]


@admin.register(ResponseTarget)
class ResponseTargetAdmin(admin.ModelAdmin):
    """The force's response targets per priority: the response-times panels measure calls against them."""

    list_display = ["priority", "target_minutes", "label"]
    list_editable = ["target_minutes", "label"]
    search_fields = ["priority", "label"]
