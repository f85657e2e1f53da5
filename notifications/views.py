"""Follow buttons, each person's alert settings, a team's settings, and the admins' webhooks."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.models import Team
from experiments.models import Experiment
from metrics.models import Metric
from notifications import services
from notifications.models import Alert, Kind, Mode, Webhook
from sprints.models import Sprint

TARGETS = {"experiment": Experiment, "team": Team, "metric": Metric, "sprint": Sprint}
BAD_GRACE = _("The grace period is a whole number of days between 1 and 60.")


def back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@require_POST
def follow(request, target: str, pk: int):
    """Anyone signed in may follow anything: everyone reads everything."""
    if target not in TARGETS:
        raise PermissionDenied(_("Only a test, a team, a metric or a sprint can be followed."))
    obj = get_object_or_404(TARGETS[target], pk=pk)
    following = request.POST.get("following") == "1"
    services.follow_set(user=request.user, obj=obj, following=following)
    if following:
        messages.success(request, _("You follow “{name}” now.").format(name=obj))
    else:
        messages.success(request, _("You no longer follow “{name}”.").format(name=obj))
    fallback = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "/"
    if isinstance(obj, Team):
        fallback = f"/teams/{obj.slug}/"
    return back(request, fallback)


def kinds_with_modes(modes: dict[str, str]) -> list[dict]:
    return [{"kind": kind, "label": label, "mode": modes[kind]} for kind, label in Kind.choices]


def preferences_context(user) -> dict:
    return {
        "kinds": kinds_with_modes(services.preferences_of(user)),
        "modes": Mode.choices,
        "follows": user.follows.filter(following=True).select_related(
            "experiment", "team", "metric", "sprint__team"
        ),
    }


def modes_posted(request) -> dict[str, str]:
    """The modes the form sent; a kind it left out keeps its setting."""
    posted = {kind: request.POST.get(f"mode-{kind}") for kind in Kind.values}
    return {kind: mode for kind, mode in posted.items() if mode is not None}


@require_POST
def preferences(request):
    try:
        services.preferences_save(user=request.user, modes=modes_posted(request))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("/accounts/profile/#alerts")
    messages.success(request, _("Your alert settings are saved."))
    return redirect("/accounts/profile/#alerts")


@require_http_methods(["GET", "POST"])
def team_settings(request, slug: str):
    team = get_object_or_404(Team, slug=slug)
    access.require(access.can_edit_team(request.user, team))
    row = services.team_settings_of(team)
    errors = []
    status = 200
    if request.method == "POST":
        try:
            grace = int(request.POST.get("grace_days", ""))
        except ValueError:
            errors.append(BAD_GRACE)
            grace = None
        if grace is not None:
            try:
                row = services.team_settings_save(
                    team=team,
                    grace_days=grace,
                    defaults=modes_posted(request),
                    slack_url=request.POST.get("slack_url", "").strip() or None,
                    slack_remove=request.POST.get("slack_remove") == "1",
                )
            except ValidationError as error:
                errors += error.messages
            else:
                messages.success(request, _("The team’s alert settings are saved."))
                return redirect("notifications:team", slug=team.slug)
        status = 400
    modes = {kind: row.mode_for(kind) for kind in Kind.values}
    context = {
        "team": team,
        "row": row,
        "kinds": kinds_with_modes(modes),
        "modes": Mode.choices,
        "errors": errors,
        "posted_grace": request.POST.get("grace_days", row.no_data_grace_days),
    }
    return render(request, "notifications/team_settings.html", context, status=status)


def require_admin(request) -> None:
    access.require(access.is_admin(request.user))


@require_http_methods(["GET", "POST"])
def webhooks(request):
    require_admin(request)
    errors, secret, created, status = [], None, None, 200
    if request.method == "POST":
        try:
            created, secret = services.webhook_create(
                name=request.POST.get("name", ""),
                url=request.POST.get("url", ""),
                user=request.user,
            )
        except ValidationError as error:
            errors, status = error.messages, 400
    context = {
        "webhooks": Webhook.objects.all(),
        "errors": errors,
        "secret": secret,
        "created": created,
        "posted": request.POST if errors else {},
    }
    return render(request, "notifications/webhooks.html", context, status=status)


@require_http_methods(["GET", "POST"])
def webhook_detail(request, pk: int):
    require_admin(request)
    webhook = get_object_or_404(Webhook, pk=pk)
    if request.method == "POST":
        services.webhook_active_set(webhook=webhook, active=request.POST.get("active") == "1")
        return redirect("notifications:webhook", pk=webhook.pk)
    deliveries = webhook.deliveries.select_related("alert")[:100]
    return render(
        request,
        "notifications/webhook_detail.html",
        {"webhook": webhook, "deliveries": deliveries},
    )


def inbox(request):
    """The alerts of the last weeks that reached this person, in any channel."""
    alerts = (
        Alert.objects.filter(deliveries__user=request.user)
        .distinct()
        .select_related("team", "experiment")[:100]
    )
    return render(request, "notifications/inbox.html", {"alerts": alerts})
