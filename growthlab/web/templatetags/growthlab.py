import markdown as markdown_lib
import nh3
from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import pgettext

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
    """31234 -> '31,234', '31 234' in Finnish; leaves anything that is not a number as it is."""
    try:
        return number_format(int(value), force_grouping=True)
    except (TypeError, ValueError):
        return value


@register.filter
def percent(value, decimals="-1") -> str:
    """A number already in percent, as the reader writes it: 12.5 → "12.5%", "12,5 %" in Finnish.

    ``decimals`` as ``floatformat`` takes them; nothing to show → "–".
    """
    if value is None or value == "":
        return "–"
    number = floatformat(value, decimals)
    # Translators: the space before the sign is the language's own (fi, sv: a no-break space).
    # xgettext:no-python-format
    return pgettext("a number in percent", "{number}%").format(number=number)


@register.simple_tag(takes_context=True)
def slot(context, name: str, obj=None) -> str:
    """What the apps registered for this place on the page (growthlab.web.slots)."""
    from growthlab.web.slots import slot_render

    return slot_render(name, context.flatten(), obj)
