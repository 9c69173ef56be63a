"""/search/: finding a unit by name or code (views.py)."""

from django.urls import path

from communes import views

urlpatterns = [path("search/", views.unit_search, name="unit-search")]
