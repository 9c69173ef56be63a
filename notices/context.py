"""The bell's count on every page, counted only when a page shows it."""

from django.utils.functional import SimpleLazyObject

from notices.services import unread_count


def notice_count(request):
    return {"unread_notices": SimpleLazyObject(lambda: unread_count(request.user))}
