from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Membership, Team, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["team"]


@admin.register(User)
class GrowthLabUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "scoring_model", "sprint_length_days", "north_star"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
