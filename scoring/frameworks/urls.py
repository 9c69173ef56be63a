"""/frameworks/…: frameworks as trees, download as Excel/JSON, upload (views.py)."""

from django.urls import path

from scoring.frameworks import views

urlpatterns = [
    path("frameworks/", views.framework_list, name="frameworks"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework-detail"),
    path(
        "frameworks/<int:pk>/download.<str:kind>",
        views.framework_download,
        name="framework-download",
    ),
]
