from django import template
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

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


@register.filter
def percent(fraction: float) -> str:
    """A relative lift as the page says it: 0.0812 → "+8.1%", signed, in the reader's format."""
    sign = "+" if fraction > 0 else ("−" if fraction < 0 else "")
    # number_format cuts the digits off; round first so 79.99 reads 80.0
    number = f"{sign}{number_format(round(abs(fraction) * 100, 1), 1)}"
    # Translators: a percentage; Finnish and Swedish put a space before the sign.
    return pgettext("percent", "%(number)s%%") % {"number": number}


@register.filter
def lift_label(lift) -> str:
    """A similar test's measured lift in words; "" when it has no stored result."""
    if lift is None:
        return ""
    return _("%(lift)s on %(metric)s (interval %(low)s to %(high)s)") % {
        "lift": percent(lift.estimate),
        "metric": lift.metric_name,
        "low": percent(lift.ci_lower),
        "high": percent(lift.ci_upper),
    }
