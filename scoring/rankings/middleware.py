"""Telling the user when a save could not reach the task queue."""

from django.contrib import messages
from django.utils.translation import gettext as _
from django_htmx.http import trigger_client_event

from scoring.rankings import services as rankings

# API clients read this header; pages show a message instead.
STATUS_HEADER = "X-Ranking-Status"
HTMX_EVENT = "ranking-deferred"


class RankingDeferredNoticeMiddleware:
    """The data is saved and marked dirty either way; when the broker refused the recompute, the
    ranking follows only once it is back (sweep at worker start or every minute). Say so, or a
    user who sees an unchanged dashboard will think the save was lost and enter it again.

    Sits below MessageMiddleware and HtmxMiddleware, which it uses.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with rankings.deferrals_tracked() as deferred:
            response = self.get_response(request)
            if deferred():
                self._tell(request, response)
        return response

    @staticmethod
    def _tell(request, response):
        response[STATUS_HEADER] = "deferred"
        if request.path.startswith("/api/"):
            return
        notice = _(
            "Saved. The ranking could not be updated right away; it will be updated "
            "automatically within a few minutes."
        )
        if getattr(request, "htmx", False):
            # The page stays; portal.js shows the notice as a toast where the user is typing.
            trigger_client_event(response, HTMX_EVENT, {"message": notice})
        else:
            messages.warning(request, notice, fail_silently=True)
