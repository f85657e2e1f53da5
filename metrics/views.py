from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts import access
from growthlab.web.forms import service_error_to_form
from metrics.forms import MetricForm
from metrics.models import Metric
from metrics.selectors import kpi_forest
from metrics.services import metric_save


def catalogue(request):
    return render(
        request,
        "metrics/catalogue.html",
        {"forest": kpi_forest(), "can_create": access.can_edit(request.user, "metric", None)},
    )


def detail(request, pk: int):
    metric = get_object_or_404(Metric.objects.select_related("owner", "team", "parent"), pk=pk)
    links = metric.experiment_links.select_related("experiment").order_by("-experiment__updated_at")
    return render(
        request,
        "metrics/detail.html",
        {
            "metric": metric,
            "children": metric.children.all(),
            "links": links[:50],
            "can_edit": access.can_edit_metric(request.user, metric),
        },
    )


@require_http_methods(["GET", "POST"])
def edit(request, pk: int | None = None):
    metric = get_object_or_404(Metric, pk=pk) if pk else Metric()
    allowed = (
        access.can_edit_metric(request.user, metric)
        if pk
        else access.can_edit(request.user, "metric", None)
    )
    access.require(allowed)
    form = MetricForm(request.POST or None, instance=metric, user=request.user)
    if request.method == "POST" and form.is_valid():
        candidate = form.save(commit=False)
        access.require(access.can_edit_metric(request.user, candidate))
        try:
            metric = metric_save(metric=candidate)
        except ValidationError as error:
            service_error_to_form(form, error)
        else:
            messages.success(request, gettext("{metric} saved.").format(metric=metric))
            return redirect("metrics:detail", pk=metric.pk)
    status = 400 if form.is_bound else 200
    return render(request, "metrics/form.html", {"form": form, "metric": metric}, status=status)
