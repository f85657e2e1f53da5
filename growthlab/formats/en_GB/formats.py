"""British English formats, with weeks from Monday as in the other languages."""

from django.conf.locale.en_GB.formats import *  # noqa: F403

FIRST_DAY_OF_WEEK = 1
