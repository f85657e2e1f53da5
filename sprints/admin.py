from django.contrib import admin

from sprints.models import Sprint


@admin.register(Sprint)
class SprintAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "starts_on", "ends_on"]
    list_filter = ["status", "team"]
