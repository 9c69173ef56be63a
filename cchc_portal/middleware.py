from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class LanguageMiddleware(MiddlewareMixin):
    """Vietnamese unless the user chose another language (the set_language cookie).

    Unlike Django's LocaleMiddleware this ignores a browser's Accept-Language: many office PCs run
    an English Windows and browser, and their users still expect the portal in Vietnamese. Systems
    calling the API may ask for English with Accept-Language; a browser signed in to the pages
    (a file it downloads from the API, such as the decision's annex) reads as the pages do.
    """

    def process_request(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        browser = settings.SESSION_COOKIE_NAME in request.COOKIES
        if chosen not in supported and request.path.startswith("/api/") and not browser:
            asked = request.headers.get("Accept-Language", "")
            chosen = asked.split(",")[0].split(";")[0].split("-")[0].strip().lower()
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class PortalNotFoundPageMiddleware:
    """With DEBUG on (the demo), Django answers a missing page with its technical 404 listing
    URL patterns; people trying the demo should meet the portal's own page, in their language,
    exactly as in production. The API keeps its JSON answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not request.path.startswith("/api/")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            from django.views.defaults import page_not_found

            return page_not_found(request, Http404())
        return response
