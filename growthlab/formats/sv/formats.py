"""Swedish formats: 2026-12-02 (ISO, as Sweden writes dates), 12 345,6, weeks from Monday."""

from django.conf.locale.sv.formats import *  # noqa: F403
from django.conf.locale.sv.formats import DATE_INPUT_FORMATS as _DJANGO_DATE_INPUTS

SHORT_DATE_FORMAT = "Y-m-d"
# A browser's date picker always sends ISO (2026-12-02), whatever the page's language.
DATE_INPUT_FORMATS = ["%Y-%m-%d", *[f for f in _DJANGO_DATE_INPUTS if f != "%Y-%m-%d"]]
FIRST_DAY_OF_WEEK = 1
