from django.contrib.admin.apps import AdminConfig


class GrowthLabAdminConfig(AdminConfig):
    """django.contrib.admin with GrowthLab's site: its sign-in is throttled like the page's."""

    default_site = "accounts.admin_site.GrowthLabAdminSite"
