"""/rounds/…: the rounds, opening one, a round's page, its deadlines and extensions."""

from django.urls import path

from scoring.rounds import views

urlpatterns = [
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/publish/", views.round_publish, name="round-publish"),
    path("rounds/<int:pk>/decision/", views.round_decision, name="round-decision"),
    path("rounds/<int:pk>/deadlines/", views.round_deadlines, name="round-deadlines"),
    path("rounds/<int:pk>/extensions/", views.round_extension, name="round-extension"),
    path(
        "rounds/<int:pk>/extensions/<str:unit_code>/remove/",
        views.round_extension_remove,
        name="round-extension-remove",
    ),
]
