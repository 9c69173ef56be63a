"""/rankings/, /charts/ and /units/CODE/ (a unit's results over the years): views.py."""

from django.urls import path

from scoring.rankings import views

urlpatterns = [
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/export.xlsx", views.rankings_export, name="rankings-export"),
    path("charts/", views.charts, name="charts"),
    path("units/<str:code>/", views.unit_page, name="unit-profile"),
    path("units/<str:code>/what-if/", views.unit_what_if, name="unit-what-if"),
]
