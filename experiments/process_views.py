"""Pages of the test process: templates, duplicates, custom fields, sign-off and the audit
export. Each view validates, calls a service, renders."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import access
from accounts.models import Team
from experiments import audit
from experiments.forms import (
    CustomFieldForm,
    FromTemplateForm,
    RefuseForm,
    SaveAsTemplateForm,
    SignoffPolicyForm,
    TemplateForm,
)
from experiments.models import (
    ChecklistItem,
    CustomField,
    Experiment,
    ExperimentTemplate,
    SignoffRequest,
)
from experiments.services.custom_fields import custom_field_save
from experiments.services.signoff import (
    policy_of,
    signoff_approve,
    signoff_policy_update,
    signoff_refuse,
    signoff_request,
)
from experiments.services.templates import (
    checklist_tick,
    experiment_create_from_template,
    experiment_duplicate,
    template_from_experiment,
    template_problems,
    template_save,
)
from growthlab.web.forms import service_error_to_form


def template_list(request):
    templates = ExperimentTemplate.objects.select_related("team").prefetch_related(
        "template_metrics"
    )
    context = {
        "templates": templates,
        "can_create": bool(access.teams_where(request.user, "template"))
        or access.is_admin(request.user),
    }
    return render(request, "experiments/template_list.html", context)


def template_detail(request, pk: int):
    template = get_object_or_404(ExperimentTemplate.objects.select_related("team"), pk=pk)
    form = FromTemplateForm(user=request.user, template=template)
    context = template_context(request, template, form)
    return render(request, "experiments/template_detail.html", context)


def template_context(request, template: ExperimentTemplate, form) -> dict:
    return {
        "template": template,
        "form": form,
        "problems": template_problems(template),
        "can_edit": access.can_edit_template(request.user, template),
        "can_use": form.is_bound or form.fields["team"].queryset.exists(),
    }


@require_http_methods(["GET", "POST"])
def template_edit(request, pk: int | None = None):
    template = get_object_or_404(ExperimentTemplate, pk=pk) if pk else ExperimentTemplate()
    if pk:
        access.require(access.can_edit_template(request.user, template))
    else:
        allowed = bool(access.teams_where(request.user, "template")) or access.is_admin(
            request.user
        )
        access.require(allowed)
    form = TemplateForm(request.POST or None, instance=template, user=request.user)
    if request.method == "POST" and form.is_valid():
        data, metrics = form.template_data()
        candidate = ExperimentTemplate(team=data["team"])
        access.require(access.can_edit_template(request.user, candidate))
        try:
            template = template_save(
                template=template, user=request.user, data=data, metrics=metrics
            )
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("Template saved."))
            return redirect(template)
    status = 400 if form.is_bound else 200
    context = {"form": form, "template": template if template.pk else None}
    return render(request, "experiments/template_form.html", context, status=status)


@require_POST
def template_use(request, pk: int):
    template = get_object_or_404(ExperimentTemplate, pk=pk)
    access.require(bool(access.teams_where(request.user, "experiment")))
    form = FromTemplateForm(request.POST, user=request.user, template=template)
    if form.is_valid():
        team = form.cleaned_data["team"]
        access.require(access.can_edit(request.user, "experiment", team.id))
        try:
            experiment = experiment_create_from_template(
                template=template, team=team, user=request.user, title=form.cleaned_data["title"]
            )
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("The test is a draft, documented as the template says."))
            return redirect(experiment)
    context = template_context(request, template, form)
    return render(request, "experiments/template_detail.html", context, status=400)


@require_POST
def experiment_duplicate_view(request, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_edit_experiment(request.user, experiment))
    copy = experiment_duplicate(experiment=experiment, user=request.user)
    messages.success(
        request, _("Duplicated: documentation, variants and metrics, without data or results.")
    )
    return redirect(copy)


@require_POST
def experiment_save_as_template(request, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    form = SaveAsTemplateForm(request.POST)
    wide = form.is_valid() and form.cleaned_data["organisation_wide"]
    team = None if wide else experiment.team
    access.require(access.can_edit_template(request.user, ExperimentTemplate(team=team)))
    if not form.is_valid():
        messages.error(request, _("Give the template a name."))
        return redirect(experiment)
    template = template_from_experiment(
        experiment=experiment, user=request.user, name=form.cleaned_data["name"], team=team
    )
    messages.success(request, _("Saved as a template."))
    return redirect(template)


@require_POST
def checklist_toggle(request, pk: int, item_pk: int):
    item = get_object_or_404(ChecklistItem, pk=item_pk, experiment_id=pk)
    access.require(access.can_edit_experiment(request.user, item.experiment))
    checklist_tick(item=item, user=request.user, done=request.POST.get("done") == "1")
    return redirect("experiment:detail", pk=pk)


@require_POST
def signoff_ask(request, pk: int):
    experiment = get_object_or_404(Experiment, pk=pk)
    access.require(access.can_edit_experiment(request.user, experiment))
    try:
        signoff_request(experiment=experiment, user=request.user, kind=SignoffRequest.Kind.START)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Sign-off asked for: a team lead approves or refuses it."))
    return redirect(experiment)


@require_POST
def signoff_decide(request, pk: int, signoff_pk: int, decision: str):
    signoff = get_object_or_404(
        SignoffRequest.objects.select_related("experiment__team"), pk=signoff_pk, experiment_id=pk
    )
    access.require(access.can_sign_off(request.user, signoff.experiment))
    try:
        if decision == "approve":
            signoff_approve(signoff=signoff, user=request.user)
            messages.success(request, _("Signed off."))
        else:
            form = RefuseForm(request.POST)
            reason = form.data.get("reason", "")
            signoff_refuse(signoff=signoff, user=request.user, reason=reason)
            messages.success(request, _("Refused; the reason is in the history."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(signoff.experiment)
    return redirect(signoff.experiment)


@require_http_methods(["GET", "POST"])
def team_signoff_policy(request, slug: str):
    team = get_object_or_404(Team, slug=slug)
    access.require(access.can_edit_team(request.user, team))
    policy = policy_of(team)
    initial = {
        "before_start": policy.before_start,
        "before_running_edit": policy.before_running_edit,
    }
    form = SignoffPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        signoff_policy_update(team=team, user=request.user, **form.cleaned_data)
        messages.success(request, _("Sign-off rules saved."))
        return redirect("experiments:team_detail", slug=team.slug)
    context = {"form": form, "team": team}
    return render(request, "experiments/signoff_policy_form.html", context)


def custom_field_list(request):
    context = {
        "fields": CustomField.objects.all(),
        "can_define": access.can_define_custom_fields(request.user),
    }
    return render(request, "experiments/custom_field_list.html", context)


@require_http_methods(["GET", "POST"])
def custom_field_edit(request, pk: int | None = None):
    access.require(access.can_define_custom_fields(request.user))
    field = get_object_or_404(CustomField, pk=pk) if pk else CustomField()
    form = CustomFieldForm(request.POST or None, instance=field)
    if request.method == "POST" and form.is_valid():
        try:
            _field, notice = custom_field_save(
                field=CustomField.objects.get(pk=pk) if pk else CustomField(),
                data=form.field_data(),
            )
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, _("Custom field saved."))
            if notice:
                messages.warning(request, notice)
            return redirect("experiments:custom_field_list")
    status = 400 if form.is_bound else 200
    context = {"form": form, "field": field if field.pk else None}
    return render(request, "experiments/custom_field_form.html", context, status=status)


def audit_page(request):
    return render(request, "experiments/audit.html", {"teams": Team.objects.all()})


def audit_export(request, pk: int | None = None):
    """The history as a download; bad parameters get a 400 naming each one."""
    if pk is not None:
        get_object_or_404(Experiment, pk=pk)
    try:
        scope = audit.scope_from_query(request.GET, experiment_id=pk)
        fmt = audit.export_format(request.GET)
    except ValidationError as error:
        lines = [f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items()]
        return HttpResponse("\n".join(lines), status=400, content_type="text/plain")
    return audit.audit_download(scope, fmt)
