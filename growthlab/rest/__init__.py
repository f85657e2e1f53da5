"""REST plumbing shared by every app's api/ package: errors, pages, CSV, throttles, filters.

No domain code lives here: each app's api/ package holds its own serializers and views.
"""
