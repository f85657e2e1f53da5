"""Web plumbing every app's pages share: form error mapping and the project's template filters.

No domain code lives here, so any app may import it without an arrow into another app.
"""
