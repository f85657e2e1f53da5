"""British English formats, with weeks from Monday as in the other languages."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

FIRST_DAY_OF_WEEK = 1
# The 24-hour clock GrowthLab has always shown ("2 Dec 2026, 14:30"), not Django's "2:30 p.m.".
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
