"""Reading the environment: every helper fails loudly on a malformed value."""

import os
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

WEAK_SECRET_PREFIXES = ("django-insecure", "demo-only", "change-me", "changeme", "secret")
MIN_SECRET_LENGTH = 50
MIN_SECRET_UNIQUE_CHARACTERS = 5


def env_flag(name: str, *, default: bool) -> bool:
    """Return a boolean variable; only `true` or `false` (any case) are accepted."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() == "true":
        return True
    if raw.lower() == "false":
        return False
    raise ImproperlyConfigured(f"{name} must be 'true' or 'false', not {raw!r}.")


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_required(name: str) -> str:
    raw = os.environ.get(name, "")
    if not raw:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is false.")
    return raw


def strong_secret(name: str) -> str:
    """Return the secret in `name`; refuse a missing, short or placeholder value."""
    secret = env_required(name)
    too_short = len(secret) < MIN_SECRET_LENGTH
    too_plain = len(set(secret)) < MIN_SECRET_UNIQUE_CHARACTERS
    if too_short or too_plain or secret.lower().startswith(WEAK_SECRET_PREFIXES):
        raise ImproperlyConfigured(
            f"{name} is too weak: use at least {MIN_SECRET_LENGTH} random characters, "
            f"for example from `python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    return secret


def smtp_mailer(url: str) -> dict:
    """Turn smtp://, smtp+tls:// or smtps://user:password@host:port into a MAILERS entry."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtp+tls", "smtps") or not parts.hostname:
        raise ImproperlyConfigured(
            "EMAIL_URL must look like smtp+tls://user:password@host:587 "
            "(schemes: smtp, smtp+tls, smtps)."
        )
    options = {
        "host": parts.hostname,
        "port": parts.port or (465 if parts.scheme == "smtps" else 587),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_tls": parts.scheme == "smtp+tls",
        "use_ssl": parts.scheme == "smtps",
        "timeout": 10,
    }
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
