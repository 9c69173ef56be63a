"""/api/v1/rounds/… and /api/v1/publications/…"""

from django.urls import path

from scoring.rounds.api import RoundViewSet
from scoring.rounds.publications_api import PublicationViewSet

routes = [
    ("rounds", RoundViewSet, "round"),
    ("publications", PublicationViewSet, "publication"),
]
# formats.md names the annex by its file name, without the router's trailing slash.
urlpatterns = [
    path(
        f"publications/<int:pk>/{name}",
        PublicationViewSet.as_view({"get": action}),
        name=f"publication-{name.replace('.', '-')}",
    )
    for name, action in (
        ("annex.xlsx", "annex_xlsx"),
        ("annex.pdf", "annex_pdf"),
        ("decision.pdf", "decision_pdf"),
    )
]
