from django.urls import path

from . import views

urlpatterns = [
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/export.xlsx", views.rankings_export, name="rankings-export"),
    path("units/<str:code>/", views.unit_page, name="unit-profile"),
]
