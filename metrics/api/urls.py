from django.urls import path

from metrics.api.views import AggregatesPushApi

urlpatterns = [
    path("experiments/<int:pk>/aggregates/", AggregatesPushApi.as_view(), name="aggregates_push"),
]
