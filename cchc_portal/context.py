from django.conf import settings

from communes.selectors import request_memberships


def portal(request):
    """What the header shows on every page: the user's unit and role, and the languages."""
    memberships = request_memberships(request)
    return {
        "memberships": memberships,
        "primary_membership": memberships[0] if memberships else None,
        "portal_languages": settings.LANGUAGES,
    }
