"""/api/v1/ — every app's endpoints, the token endpoint, and the OpenAPI schema and docs."""

from importlib import import_module

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.urls import include, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.settings import api_settings

from core.api.errors import ErrorsSerializer
from core.api.throttling import TokenEndpointThrottle


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(ObtainAuthToken):
    """POST {"username", "password"} → {"token"}: for systems calling the API."""

    throttle_classes = [TokenEndpointThrottle]
    # DRF's token view names its own parsers; these are the API's (NUL and depth checked).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(
        summary="Get the token of a user (for systems)",
        tags=["auth"],
        request=AuthTokenSerializer,
        responses={200: TokenSerializer, 400: ErrorsSerializer},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        # A locked account answers as the sign-in page does (429), not as a wrong password: the
        # calling system learns to wait instead of retrying.
        username = request.data.get("username") if isinstance(request.data, dict) else None
        if AxesProxyHandler.is_locked(request._request, {"username": username}):
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            return Response(
                {
                    "detail": _(
                        "Too many failed sign-ins: this account is paused for "
                        "%(minutes)d minutes from your address."
                    )
                    % {"minutes": minutes}
                },
                status=429,
                headers={"Retry-After": str(minutes * 60)},
            )
        return super().post(request, *args, **kwargs)


# Each package lists its own routes (its api_urls.py): /api/v1/<path> leads to it in one hop.
PACKAGES = [
    "communes.api_urls",
    "dossiers.api_urls",
    "scoring.frameworks.api_urls",
    "scoring.assessments.api_urls",
    "scoring.rankings.api_urls",
    "scoring.rounds.api_urls",
]
router = DefaultRouter()
# JSON only: no ".json" suffix routes, which custom actions would have to accept one by one.
router.include_format_suffixes = False
v1 = [path("auth/token/", TokenView.as_view(), name="api-token")]
for module in map(import_module, PACKAGES):
    for prefix, viewset, basename in module.routes:
        router.register(prefix, viewset, basename=basename)
    v1 += module.urlpatterns
v1.append(path("", include(router.urls)))

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
