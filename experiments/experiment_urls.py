"""One experiment's own pages, below /experiments/<id>/ in the `experiment` namespace.

growthlab/urls.py gathers these with the experiment's results, analysis and outcome-data
pages, which live in their own apps; this file goes last for its `<slug:action>` catch-all.
"""

from django.urls import path

from experiments import process_views, views

urlpatterns = [
    path("", views.experiment_detail, name="detail"),
    path("edit/", views.experiment_edit, name="edit"),
    # Not ".../plan/": that path is the lifecycle action "plan" (experiment_move below).
    path("sample-size/", views.experiment_plan, name="plan"),
    path("variants/new/", views.variant_edit, name="variant_create"),
    path(
        "variants/<int:variant_pk>/edit/",
        views.variant_edit,
        name="variant_edit",
    ),
    path(
        "variants/<int:variant_pk>/delete/",
        views.variant_delete,
        name="variant_delete",
    ),
    path(
        "variants/<int:variant_pk>/screenshot/",
        views.variant_screenshot,
        name="variant_screenshot",
    ),
    path("metrics/", views.metric_attach, name="metric_attach"),
    path(
        "metrics/<int:link_pk>/detach/",
        views.metric_detach,
        name="metric_detach",
    ),
    path("conclude/", views.experiment_conclude_view, name="conclude"),
    path(
        "duplicate/",
        process_views.experiment_duplicate_view,
        name="duplicate",
    ),
    path(
        "save-as-template/",
        process_views.experiment_save_as_template,
        name="save_as_template",
    ),
    path(
        "checklist/<int:item_pk>/",
        process_views.checklist_toggle,
        name="checklist_toggle",
    ),
    path("sign-off/", process_views.signoff_ask, name="signoff_ask"),
    path(
        "sign-off/<int:signoff_pk>/approve/",
        process_views.signoff_decide,
        {"decision": "approve"},
        name="signoff_approve",
    ),
    path(
        "sign-off/<int:signoff_pk>/refuse/",
        process_views.signoff_decide,
        {"decision": "refuse"},
        name="signoff_refuse",
    ),
    path(
        "history/export/",
        process_views.audit_export,
        name="history_export",
    ),
    path("<slug:action>/", views.experiment_move, name="move"),
]
