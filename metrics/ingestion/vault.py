"""Warehouse URLs encrypted at rest with Fernet under settings.DATA_SOURCE_KEY."""

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KEY_CHANGED = _("The saved connection cannot be read with this server's DATA_SOURCE_KEY.")
NO_KEY = _("Set DATA_SOURCE_KEY on the server to save SQL data sources.")


def fernet() -> Fernet:
    if not settings.DATA_SOURCE_KEY:
        raise ValidationError(NO_KEY)
    return Fernet(settings.DATA_SOURCE_KEY)


def url_encrypt(url: str) -> str:
    return fernet().encrypt(url.encode()).decode()


def url_decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ValidationError(KEY_CHANGED) from error
