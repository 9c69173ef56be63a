"""/api/v1/ — every app's endpoints, the token endpoint, and the OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter

from communes.api import UnitViewSet
from core.api.throttling import TokenEndpointThrottle
from dossiers.api import DossierReportViewSet
from scoring.assessments.api import (
    AssessmentViewSet,
    EvidenceViewSet,
    ScoreEvidenceView,
    ScoresView,
)
from scoring.frameworks.api import FrameworkViewSet, PeriodViewSet
from scoring.rankings.api import RankingRunViewSet, RankingView


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} → {"token"}: for systems calling the API."""

    throttle_classes = [TokenEndpointThrottle]

    @extend_schema(
        summary="Get the token of a user (for systems)",
        tags=["auth"],
        request=AuthTokenSerializer,
        responses={200: TokenSerializer},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


router = DefaultRouter()
# JSON only: no ".json" suffix routes, which custom actions would have to accept one by one.
router.include_format_suffixes = False
router.register("units", UnitViewSet, basename="unit")
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("periods", PeriodViewSet, basename="period")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("dossier-reports", DossierReportViewSet, basename="dossier-report")
router.register("ranking-runs", RankingRunViewSet, basename="ranking-run")

v1 = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("rankings/", RankingView.as_view(), name="rankings"),
    path(
        "assessments/<str:unit_code>/<str:period>/scores/",
        ScoresView.as_view(),
        name="assessment-scores",
    ),
    path(
        "assessments/<str:unit_code>/<str:period>/scores/<str:sub_code>/evidence/",
        ScoreEvidenceView.as_view(),
        name="score-evidence",
    ),
    path("", include(router.urls)),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
