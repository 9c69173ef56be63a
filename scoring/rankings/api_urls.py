"""/api/v1/rankings/ and /api/v1/ranking-runs/…"""

from django.urls import path

from scoring.rankings.api import RankingRunViewSet, RankingView

routes = [("ranking-runs", RankingRunViewSet, "ranking-run")]
urlpatterns = [path("rankings/", RankingView.as_view(), name="rankings")]
