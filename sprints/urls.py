from django.urls import path

from sprints import views

app_name = "sprints"
urlpatterns = [
    path("", views.sprint_list, name="list"),
    path("new/", views.sprint_edit, name="create"),
    path("teams/<int:team_pk>/programme/", views.programme, name="programme"),
    path("<int:pk>/", views.sprint_detail, name="detail"),
    path("<int:pk>/edit/", views.sprint_edit, name="edit"),
    path("<int:pk>/pull/", views.sprint_pull, name="pull"),
    path("<int:pk>/remove/<int:experiment_pk>/", views.sprint_remove, name="remove"),
    path("<int:pk>/activate/", views.sprint_step, {"step": "activate"}, name="activate"),
    path("<int:pk>/start-review/", views.sprint_step, {"step": "review"}, name="start_review"),
    path("<int:pk>/board/", views.sprint_board, name="board"),
    path(
        "<int:pk>/board/<int:experiment_pk>/<slug:action>/",
        views.sprint_board_move_view,
        name="board_move",
    ),
    path("<int:pk>/review/", views.sprint_review, name="review"),
    path("<int:pk>/review/print/", views.sprint_review_print, name="review_print"),
    path("<int:pk>/review.pdf", views.sprint_review_pdf, name="review_pdf"),
]
