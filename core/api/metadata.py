"""OPTIONS answers: what an endpoint is, which formats it takes, and nothing that would have to
look the object up (DRF's default fetches it for PUT, which views without a queryset cannot)."""

from rest_framework.metadata import SimpleMetadata


class PlainMetadata(SimpleMetadata):
    def determine_metadata(self, request, view):
        metadata = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        return metadata

    def determine_actions(self, request, view):
        return {}
