"""Personal API tokens: created and revoked by their owner, stored as a SHA-256 only.

A token is 40 random bytes; SHA-256 of such a key cannot be searched by brute force, so no
slow password hash is needed and no API request pays for one.
"""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User

KEY_PREFIX = "glt_"
PREFIX_LENGTH = 12
# Writing on every request would turn each read into a write; a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)
NAME_REQUIRED = "Give the token a name, so that you recognise it later."


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Return the stored token and its key; the key is never stored and cannot be shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": NAME_REQUIRED})
    key = KEY_PREFIX + secrets.token_urlsafe(40)
    token = ApiToken(user=user, name=name, prefix=key[:PREFIX_LENGTH], key_sha256=key_digest(key))
    token.full_clean()
    token.save()
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key (and its user), or None; notes when it was used."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_sha256=key_digest(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None:
        api_token_touch(token)
    return token


def api_token_touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
