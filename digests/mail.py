"""The digest as an e-mail: an HTML part readable on a phone, a plain-text part, no images,
and RFC 8058 one-click unsubscribe headers."""

from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from digests.selectors import TeamDigest
from digests.tokens import unsubscribe_token

# The same rules style the preview page (as a linked file) and the e-mail (inlined in <style>,
# since a mail client fetches nothing): one file, so the two never drift.
STYLESHEET = Path(settings.BASE_DIR) / "static" / "css" / "digest.css"
QUIET_WEEK = _("{team}: a quiet week, nothing concluded, started or running")


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_url(person, team) -> str:
    token = unsubscribe_token(person.pk, team.pk)
    return absolute(reverse("digests:unsubscribe", args=[token]))


def subject_of(digest: TeamDigest) -> str:
    if digest.is_empty:
        return str(QUIET_WEEK).format(team=digest.team.name)
    parts = [
        ngettext("%d concluded", "%d concluded", len(digest.concluded)) % len(digest.concluded),
        ngettext("%d started", "%d started", len(digest.started)) % len(digest.started),
        ngettext("%d running", "%d running", len(digest.running)) % len(digest.running),
    ]
    if digest.guardrails:
        count = len(digest.guardrails)
        parts.append(ngettext("%d guardrail harmed", "%d guardrails harmed", count) % count)
    return f"{digest.team.name} {digest.first_day:%-d %b}–{digest.last_day:%-d %b}: " + ", ".join(
        parts
    )


def digest_context(digest: TeamDigest, person) -> dict:
    return {
        "digest": digest,
        "person": person,
        "site": settings.SITE_URL.rstrip("/"),
        "unsubscribe_url": unsubscribe_url(person, digest.team),
    }


def digest_message(digest: TeamDigest, person) -> EmailMultiAlternatives:
    context = digest_context(digest, person)
    html = render_to_string("digests/email.html", {**context, "stylesheet": STYLESHEET.read_text()})
    message = EmailMultiAlternatives(
        subject=subject_of(digest),
        body=render_to_string("digests/email.txt", context),
        to=[person.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{digest.team.name} digest <{digest.team.slug}.digest.growthlab>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
