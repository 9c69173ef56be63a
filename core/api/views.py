"""The base of API views whose answer a service computes (a ranking, a unit's history, an
assessment's scores), rather than a queryset the view pages and filters."""

from rest_framework.generics import GenericAPIView


# No docstring on the class: the API's docs and the browsable pages would show it for every
# operation built on it.
class ComputedView(GenericAPIView):
    # No paging, no filters: the parameters are the operation's own, checked by the view.
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        # DRF's browsable API asks a list view for its queryset to draw a filter form; with no
        # filters there is none to draw, and without a queryset it answered a person opening
        # the operation in a browser with a server error.
        return None
