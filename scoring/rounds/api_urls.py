"""/api/v1/rounds/… and /api/v1/publications/…"""

from django.urls import path

from scoring.rounds.api import PublicationViewSet, RoundViewSet

routes = [
    ("rounds", RoundViewSet, "round"),
    ("publications", PublicationViewSet, "publication"),
]
# formats.md names the annex by its file name, without the router's trailing slash.
urlpatterns = [
    path(
        "publications/<int:pk>/annex.xlsx",
        PublicationViewSet.as_view({"get": "annex_xlsx"}),
        name="publication-annex-xlsx",
    ),
]
