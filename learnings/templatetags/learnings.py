from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from learnings.selectors import MARK_START, MARK_STOP, related_learnings

register = template.Library()


@register.inclusion_tag("learnings/_related.html")
def related_learnings_for(obj) -> dict:
    """What was already learned that bears on this idea or test."""
    return {"related": related_learnings(obj)}


@register.filter
def highlighted(snippet: str) -> str:
    """The search snippet, escaped (people wrote it), with the matched words in <mark>."""
    html = escape(snippet).replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")
    return mark_safe(html)  # escaped just above; only our own <mark> tags remain
