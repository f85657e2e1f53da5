from django.contrib import admin

from notifications.models import Alert, Delivery


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("kind", "happened", "team", "created_at")
    list_filter = ("kind", "team")
    readonly_fields = [f.name for f in Alert._meta.fields]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("alert", "channel", "user", "webhook", "status", "attempts")
    list_filter = ("channel", "status")
    exclude = ("claim",)
