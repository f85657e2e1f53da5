import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

MARKDOWN_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}


@register.filter
def markdown(text: str) -> str:
    """Render Markdown, then keep only harmless tags: descriptions are written by people."""
    html = markdown_lib.markdown(text or "", extensions=["extra", "sane_lists"])
    cleaned = nh3.clean(
        html,
        tags=MARKDOWN_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # sanitised by nh3 just above


@register.filter
def thousands(value) -> str:
    """31234 -> '31,234' ('31 234' in Finnish); leaves anything that is not a number as it is."""
    from growthlab.web import numbers

    try:
        return numbers.integer(value)
    except (TypeError, ValueError):
        return value


@register.simple_tag(takes_context=True)
def slot(context, name: str, obj=None) -> str:
    """What the apps registered for this place on the page (growthlab.web.slots)."""
    from growthlab.web.slots import slot_render

    return slot_render(name, context.flatten(), obj)
