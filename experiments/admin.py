from django.contrib import admin

from experiments.models import Experiment, ExperimentMetric, HistoryEntry, Idea, Tag, Variant


class VariantInline(admin.TabularInline):
    model = Variant
    extra = 0


class ExperimentMetricInline(admin.TabularInline):
    model = ExperimentMetric
    extra = 0
    autocomplete_fields = ["metric"]


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "owner", "status", "decision", "updated_at"]
    list_filter = ["status", "decision", "team", "channel"]
    search_fields = ["title", "hypothesis_change", "learning"]
    inlines = [VariantInline, ExperimentMetricInline]
    readonly_fields = ["started_at", "stopped_at", "concluded_at", "archived_at"]


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "status", "ice_score", "rice_score", "created_at"]
    list_filter = ["status", "team", "channel"]
    search_fields = ["title", "insight"]


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "summary", "user", "experiment", "idea"]
    readonly_fields = ["idea", "experiment", "user", "summary", "changes"]


admin.site.register(Tag)
