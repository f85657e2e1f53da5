from django import template

from experiments.models import MetricRole

register = template.Library()


@register.filter
def role_label(role: str) -> str:
    """A metric's role as the reader's language names it: "primary" → "Primary"."""
    return MetricRole(role).label if role in MetricRole.values else role
