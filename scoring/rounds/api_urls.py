"""/api/v1/rounds/…"""

from scoring.rounds.api import RoundViewSet

routes = [("rounds", RoundViewSet, "round")]
urlpatterns = []
