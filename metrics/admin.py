from django.contrib import admin

from metrics.models import Metric


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "good_direction", "team", "owner", "parent"]
    list_filter = ["kind", "good_direction", "team"]
    search_fields = ["name", "description"]
