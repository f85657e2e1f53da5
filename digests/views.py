"""Pages: the digest preview and its send button, unsubscribing, the stakeholder view and its
share links. Thin: read the filters, call a selector or a service, render."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.models import Team
from digests import services
from digests.forms import ShareLinkForm, StakeholderFilterForm, last_week
from digests.mail import digest_context
from digests.models import DigestOptOut, ShareLink
from digests.selectors import StakeholderFilters, stakeholder_view, team_digest, with_alerts
from digests.tokens import share_token, unsubscribe_ids


def digest_preview(request, slug: str):
    """The digest the team would get now (the last seven days), as the e-mail shows it."""
    team = get_object_or_404(Team, slug=slug)
    end = timezone.now()
    start = end - timedelta(days=services.ON_DEMAND_DAYS)
    digest = with_alerts(team_digest(team, start, end), request.user, start)
    context = {
        **digest_context(digest, request.user),
        "team": team,
        "can_send": access.can_edit_team(request.user, team),
        "recipients": services.recipients_of(team),
        "subscribed": not DigestOptOut.objects.filter(user=request.user, team=team).exists(),
    }
    return render(request, "digests/preview.html", context)


@require_POST
def digest_send(request, slug: str):
    team = get_object_or_404(Team, slug=slug)
    sends = services.digest_send_now(team=team, user=request.user)
    messages.success(
        request, _("The digest is on its way to %(count)d people.") % {"count": len(sends)}
    )
    return redirect("digests:preview", slug=team.slug)


@csrf_exempt  # RFC 8058: a mail client POSTs with no session; the signed token is the proof
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        user_id, team_id = unsubscribe_ids(token)
    except (signing.BadSignature, ValueError, TypeError):
        return render(
            request,
            "digests/link_refused.html",
            {
                "reason": _(
                    "This unsubscribe link is not one GrowthLab made: it may have been copied "
                    "incompletely. Open it again from the e-mail."
                )
            },
            status=403,
        )
    team = get_object_or_404(Team, pk=team_id)
    if request.method == "POST":
        services.digest_unsubscribe(token=token)
        return render(request, "digests/unsubscribed.html", {"team": team})
    already = DigestOptOut.objects.filter(user_id=user_id, team=team).exists()
    return render(request, "digests/unsubscribe.html", {"team": team, "already": already})


def view_filters(form: StakeholderFilterForm) -> StakeholderFilters:
    data = form.cleaned_data
    return StakeholderFilters(data["team"], data["kpi"], data["starts_on"], data["ends_on"])


def stakeholders(request):
    form = StakeholderFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "digests/stakeholders.html", {"form": form}, status=400)
    filters = view_filters(form)
    context = {
        "form": form,
        "view": stakeholder_view(filters),
        "can_share": filters.team is not None and access.can_edit_team(request.user, filters.team),
        "share_form": ShareLinkForm(),
    }
    return render(request, "digests/stakeholders.html", context)


@require_POST
def share_create(request, slug: str):
    team = get_object_or_404(Team, slug=slug)
    access.require(access.can_edit_team(request.user, team))
    form = ShareLinkForm(request.POST)
    if form.is_valid():
        try:
            link = services.share_link_create(team=team, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Share link made: %(url)s") % {"url": share_url(request, link)}
            )
            return redirect("experiments:team_detail", slug=team.slug)
    return render(request, "digests/share_invalid.html", {"form": form, "team": team}, status=400)


@require_POST
def share_revoke(request, pk: int):
    link = get_object_or_404(ShareLink.objects.select_related("team"), pk=pk)
    services.share_link_revoke(link=link, user=request.user)
    messages.success(request, _("The share link no longer opens."))
    return redirect("experiments:team_detail", slug=link.team.slug)


@login_not_required
def shared(request, token: str):
    """The read-only view of a share link, for people without an account."""
    try:
        link = services.share_link_open(token)
    except services.ShareRefused as refused:
        return render(request, "digests/link_refused.html", {"reason": refused.reason}, status=403)
    filters = StakeholderFilters(link.team, link.kpi, link.starts_on, link.ends_on)
    return render(request, "digests/shared.html", {"view": stakeholder_view(filters), "link": link})


def share_url(request: HttpRequest, link: ShareLink) -> str:
    return request.build_absolute_uri(reverse("digests:shared", args=[share_token(link.pk)]))


def team_share_panel(page_context: dict, team: Team) -> str:
    """The team page's card: the digest, and the team's share links (addresses for leads)."""
    request = page_context["request"]
    can_edit = access.can_edit_team(request.user, team)
    links = list(ShareLink.objects.filter(team=team).select_related("created_by", "kpi")[:20])
    starts_on, ends_on = last_week()
    context = {
        "team": team,
        "can_edit": can_edit,
        "links": [(link, share_url(request, link) if can_edit else "") for link in links],
        "stakeholder_query": f"?team={team.pk}&starts_on={starts_on}&ends_on={ends_on}",
    }
    return render_to_string("digests/team_panel.html", context, request=request)
