from django.conf import settings

from communes.selectors import memberships_of


def portal(request):
    """What the header shows on every page: the user's unit and role, and the languages."""
    memberships = memberships_of(getattr(request, "user", None))
    return {
        "memberships": memberships,
        "primary_membership": memberships[0] if memberships else None,
        "portal_languages": settings.LANGUAGES,
    }
