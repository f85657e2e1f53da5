"""Places on a page where an app above the page's own may add something.

A page of a lower app (the profile, a test, a team) names a slot in its template,
``{% slot "object-actions" experiment %}``; an app higher up registers a renderer for that
slot in its ``AppConfig.ready``. The lower app then needs no import of the higher one, and
the page shows nothing extra while no app has registered.
"""

from collections.abc import Callable

from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

# A renderer gets the template context and the slot's object (or None) and returns HTML.
Renderer = Callable[[dict, object], str]
SLOTS: dict[str, list[Renderer]] = {}


def slot_register(name: str, renderer: Renderer) -> None:
    if renderer not in SLOTS.setdefault(name, []):
        SLOTS[name].append(renderer)


def slot_render(name: str, context: dict, obj=None) -> SafeString:
    parts = [renderer(context, obj) for renderer in SLOTS.get(name, [])]
    return format_html_join("", "{}", ((mark_safe(part),) for part in parts if part))
