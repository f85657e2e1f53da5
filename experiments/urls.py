from django.urls import path

from experiments import views

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
    path("experiments/<int:pk>/<slug:action>/", views.experiment_move, name="experiment_move"),
]
