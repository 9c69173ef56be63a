"""/api/v1/rankings/, /api/v1/ranking-runs/… and /api/v1/units/CODE/history/ (results)."""

from django.urls import path

from scoring.rankings.api import RankingRunViewSet, RankingView, UnitHistoryView

routes = [("ranking-runs", RankingRunViewSet, "ranking-run")]
urlpatterns = [
    path("rankings/", RankingView.as_view(), name="rankings"),
    path("units/<str:code>/history/", UnitHistoryView.as_view(), name="unit-history"),
]
