from django.urls import path

from experiments import process_views, views

app_name = "experiments"
urlpatterns = [
    path("", views.home, name="home"),
    path("ideas/", views.backlog, name="backlog"),
    path("ideas/new/", views.idea_edit, name="idea_create"),
    path("ideas/<int:pk>/", views.idea_detail, name="idea_detail"),
    path("ideas/<int:pk>/edit/", views.idea_edit, name="idea_edit"),
    path("ideas/<int:pk>/experiment/", views.idea_to_experiment, name="idea_to_experiment"),
    path("experiments/", views.experiment_list, name="experiment_list"),
    path("experiments/new/", views.experiment_edit, name="experiment_create"),
    path("experiments/csv/", views.experiment_list_csv, name="experiment_list_csv"),
    path("experiments/<int:pk>/", views.experiment_detail, name="experiment_detail"),
    path("experiments/<int:pk>/edit/", views.experiment_edit, name="experiment_edit"),
    # Not ".../plan/": that path is the lifecycle action "plan" (experiment_move below).
    path("experiments/<int:pk>/sample-size/", views.experiment_plan, name="experiment_plan"),
    path("experiments/<int:pk>/variants/new/", views.variant_edit, name="variant_create"),
    path(
        "experiments/<int:pk>/variants/<int:variant_pk>/edit/",
        views.variant_edit,
        name="variant_edit",
    ),
    path(
        "experiments/<int:pk>/variants/<int:variant_pk>/delete/",
        views.variant_delete,
        name="variant_delete",
    ),
    path(
        "experiments/<int:pk>/variants/<int:variant_pk>/screenshot/",
        views.variant_screenshot,
        name="variant_screenshot",
    ),
    path("experiments/<int:pk>/metrics/", views.metric_attach, name="metric_attach"),
    path(
        "experiments/<int:pk>/metrics/<int:link_pk>/detach/",
        views.metric_detach,
        name="metric_detach",
    ),
    path(
        "experiments/<int:pk>/conclude/", views.experiment_conclude_view, name="experiment_conclude"
    ),
    path(
        "experiments/<int:pk>/duplicate/",
        process_views.experiment_duplicate_view,
        name="experiment_duplicate",
    ),
    path(
        "experiments/<int:pk>/save-as-template/",
        process_views.experiment_save_as_template,
        name="experiment_save_as_template",
    ),
    path(
        "experiments/<int:pk>/checklist/<int:item_pk>/",
        process_views.checklist_toggle,
        name="checklist_toggle",
    ),
    path("experiments/<int:pk>/sign-off/", process_views.signoff_ask, name="signoff_ask"),
    path(
        "experiments/<int:pk>/sign-off/<int:signoff_pk>/approve/",
        process_views.signoff_decide,
        {"decision": "approve"},
        name="signoff_approve",
    ),
    path(
        "experiments/<int:pk>/sign-off/<int:signoff_pk>/refuse/",
        process_views.signoff_decide,
        {"decision": "refuse"},
        name="signoff_refuse",
    ),
    path(
        "experiments/<int:pk>/history/export/",
        process_views.audit_export,
        name="experiment_history_export",
    ),
    path("experiments/<int:pk>/<slug:action>/", views.experiment_move, name="experiment_move"),
    path("templates/", process_views.template_list, name="template_list"),
    path("templates/new/", process_views.template_edit, name="template_create"),
    path("templates/<int:pk>/", process_views.template_detail, name="template_detail"),
    path("templates/<int:pk>/edit/", process_views.template_edit, name="template_edit"),
    path("templates/<int:pk>/use/", process_views.template_use, name="template_use"),
    path("custom-fields/", process_views.custom_field_list, name="custom_field_list"),
    path("custom-fields/new/", process_views.custom_field_edit, name="custom_field_create"),
    path("custom-fields/<int:pk>/edit/", process_views.custom_field_edit, name="custom_field_edit"),
    path(
        "teams/<slug:slug>/sign-off/",
        process_views.team_signoff_policy,
        name="team_signoff_policy",
    ),
    path("history/", process_views.audit_page, name="audit"),
    path("history/export/", process_views.audit_export, name="history_export"),
]
