"""/api/v1/rounds/… and /api/v1/publications/…"""

from scoring.rounds.api import PublicationViewSet, RoundViewSet

routes = [
    ("rounds", RoundViewSet, "round"),
    ("publications", PublicationViewSet, "publication"),
]
urlpatterns = []
