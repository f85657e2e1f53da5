from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from experiments.selectors import hypothesis_parts

register = template.Library()
BLANK = mark_safe('<span class="blank">…</span>')


@register.simple_tag
def hypothesis(experiment) -> str:
    """The hypothesis sentence with missing parts marked, so a gap is visible at a glance."""
    html = ""
    for text, value in hypothesis_parts(experiment):
        blank = format_html("<strong>{}</strong>", value) if value else BLANK
        html = format_html("{}{} {}", html, text, blank)
    return format_html("{}.", html)
