from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.defaults import page_not_found

from cchc_portal.health import healthz
from cchc_portal.views import home
from communes import accounts

admin.site.site_header = _("CCHC portal · administration")
admin.site.site_title = _("CCHC portal")
admin.site.index_title = _("Data administration")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("cchc_portal.api_urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("communes.urls")),
    path("", include("scoring.rankings.urls")),
    path("", include("scoring.assessments.urls")),
    path("", include("scoring.frameworks.urls")),
    path("", include("scoring.rounds.urls")),
    path("", include("dossiers.urls")),
    path("", include("notices.urls")),
    path("", home, name="home"),
]


def handler404(request, exception):
    """API clients get JSON even for a path that matches no route."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


# Uploaded evidence is never served from /media/, not even in development: files are read
# through the scoped /api/v1/evidence/ID/ endpoint, which answers 404 outside the user's units.
