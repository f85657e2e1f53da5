"""The profile page's API tokens: create one (its key shown once) and revoke one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import ApiToken
from accounts.tokens import api_token_create, api_token_revoke


def profile_context(request, **extra) -> dict:
    return {"memberships": request.user.memberships.select_related("team"), **extra}


@require_POST
def token_create(request):
    try:
        token, key = api_token_create(user=request.user, name=request.POST.get("name", ""))
    except ValidationError as error:
        context = profile_context(request, token_errors=error.messages)
        return render(request, "accounts/profile.html", context, status=400)
    # Rendered, not redirected: the key must never sit in a session or a URL.
    context = profile_context(request, new_token=token, new_key=key)
    response = render(request, "accounts/profile.html", context, status=201)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request, pk: int):
    # Another person's token is "not found": its existence is not theirs to learn.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect("accounts:profile")
