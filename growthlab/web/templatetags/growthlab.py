import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

from growthlab.web import numbers

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
    """31234 -> '31,234' (in Finnish '31 234'); leaves anything that is not a number as it is."""
    try:
        return numbers.integer(value)
    except (TypeError, ValueError):
        return value


@register.filter
def percent_value(value, decimals=0) -> str:
    """A number already in percent, in the reader's format: 12.5 -> '12.5%' (Finnish '12,5 %').

    `decimals` as floatformat's "-2": up to two decimals, none when the number is whole.
    """
    if value is None or value == "":
        return "–"
    places = int(decimals)
    if places < 0:
        places = 0 if float(value) == round(float(value)) else -places
    return numbers.percent(float(value), places)


@register.filter
def fraction_percent(value, decimals=0) -> str:
    """A fraction as a percentage: 0.05 -> '5%' (Finnish '5 %')."""
    if value is None or value == "":
        return "–"
    return percent_value(float(value) * 100, decimals)


@register.simple_tag(takes_context=True)
def slot(context, name: str, obj=None) -> str:
    """What the apps registered for this place on the page (growthlab.web.slots)."""
    from growthlab.web.slots import slot_render

    return slot_render(name, context.flatten(), obj)
