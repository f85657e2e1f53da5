"""Outcome data in: parse (pure, polars) → load (one atomic ORM write) → services (Celery)."""
