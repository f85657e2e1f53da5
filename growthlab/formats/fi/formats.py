"""Finnish formats: 2.12.2026, 12 345,6, weeks from Monday; date fields also take ISO."""

from django.conf.locale.fi.formats import *  # noqa: F403
from django.conf.locale.fi.formats import DATE_INPUT_FORMATS as _DJANGO_DATE_INPUTS

DATE_FORMAT = "j.n.Y"
SHORT_DATE_FORMAT = "j.n.Y"
DATETIME_FORMAT = "j.n.Y \\k\\l\\o G.i"
# A browser's date picker always sends ISO (2026-12-02), whatever the page's language.
DATE_INPUT_FORMATS = ["%Y-%m-%d", *_DJANGO_DATE_INPUTS]
FIRST_DAY_OF_WEEK = 1
