"""Personal API tokens: created and revoked by their owner, stored as a SHA-256 only.

A token is 40 random bytes; SHA-256 of such a key cannot be searched by brute force, so no
slow password hash is needed and no API request pays for one.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import ApiToken, User

KEY_PREFIX = "glt_"
PREFIX_LENGTH = 12
# Writing on every request would turn each read into a write; a minute is precise enough.
LAST_USED_PRECISION = timedelta(minutes=1)
NAME_REQUIRED = "Give the token a name, so that you recognise it later."
# An active token and its user are kept in the shared cache, so that most API requests skip a
# query. Saving or deleting the token or its user drops the entry in every process at once;
# the expiry bounds a change made around the signals (a bulk update).
TOKEN_CACHE_SECONDS = 60


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


def token_cache_key(key_sha256: str) -> str:
    return f"api-token:{key_sha256}"


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key (and its user), or None; notes when it was used."""
    digest = key_digest(key)
    token = cache.get(token_cache_key(digest))
    if token is None:
        token = (
            ApiToken.objects.select_related("user")
            .defer("user__password")  # no password hash in the cache; loaded if ever read
            .filter(key_sha256=digest, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is None:
            return None
        cache.set(token_cache_key(digest), token, TOKEN_CACHE_SECONDS)
    api_token_touch(token)
    return token


def api_token_touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        cache.delete(token_cache_key(token.key_sha256))  # the next request reads the new time


def token_cache_forget(digests: Iterable[str]) -> None:
    """Drop cached tokens once the change is committed (earlier, a request could cache the
    row as it was before the change)."""
    keys = [token_cache_key(digest) for digest in digests]
    if keys:
        transaction.on_commit(lambda: cache.delete_many(keys))


@receiver([post_save, post_delete], sender=ApiToken)
def token_changed(sender, instance: ApiToken, **kwargs) -> None:
    token_cache_forget([instance.key_sha256])


@receiver(post_save, sender=User)
def token_user_changed(sender, instance: User, **kwargs) -> None:
    # Deactivated, renamed, made staff: the cached copy of the user must not outlive it.
    token_cache_forget(ApiToken.objects.filter(user=instance).values_list("key_sha256", flat=True))
