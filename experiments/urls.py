from django.urls import path

from experiments import process_views, team_views, views

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
    path("teams/", team_views.team_list, name="team_list"),
    path("teams/<slug:slug>/", team_views.team_detail, name="team_detail"),
    path("teams/<slug:slug>/edit/", team_views.team_edit, name="team_edit"),
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
