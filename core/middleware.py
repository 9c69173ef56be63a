"""Refusals every request meets before any view: they hold for routes added later too."""

from urllib.parse import unquote_to_bytes

from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.api.parameters import malformed_query_parameters, undocumented_query_parameters

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def _nul_in(request) -> bool:
    if "\x00" in request.path:
        return True
    if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
        return True
    if request.method in ("POST", "PUT", "PATCH") and request.content_type == FORM:
        return b"\x00" in unquote_to_bytes(request.body.replace(b"+", b" "))
    if request.method == "POST" and request.content_type == MULTIPART:
        # The form's fields, not its files (an evidence file may hold any byte). Django's
        # CSRF check parses the same form anyway.
        return any("\x00" in v for values in request.POST.lists() for v in values[1])
    return False


def _unreadable_form(request) -> bool:
    """A multipart body that cannot be parsed (Django raises, which would answer 500)."""
    try:
        request.POST  # noqa: B018 - parsing is the check
    except MultiPartParserError:
        return True
    return False


class RefuseNulMiddleware:
    """No code, period, name or text of the portal holds a NUL character, and PostgreSQL refuses
    one in any query: a request carrying one in its path, query or form answers 400 here, instead
    of a server error wherever it would reach the database. (JSON bodies are checked by the API's
    parser; files keep their bytes.) Also refused here: an unreadable multipart form, and API
    query parameters given empty or in another shape than documented."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "POST"
            and request.content_type == MULTIPART
            and _unreadable_form(request)
        ):
            return _bad_request(request, _("The form's data cannot be read (damaged multipart)."))
        refused = _refused_api_parameters(request)
        if refused:
            return _bad_request(request, refused)
        if _nul_in(request):
            return _bad_request(
                request, _("The request contains a NUL character (%00), which no field may hold.")
            )
        return self.get_response(request)


def _refused_api_parameters(request) -> list[tuple[str, str]]:
    """(parameter, why) for API query parameters the operation does not take, given empty
    (?level=) or in another shape than documented: an error to correct, not a request for
    everything or nothing."""
    if not request.path.startswith("/api/v1/") or not request.GET:
        return []
    unknown = undocumented_query_parameters(request.path, request.method, request.GET)
    malformed = [name for name in malformed_query_parameters(request.GET) if name not in unknown]
    # A parameter given twice (?year=2023&year=2024) asks two things of one filter that takes
    # one: say so rather than silently keep the last.
    repeated = [
        name
        for name, values in request.GET.lists()
        if len(values) > 1 and name not in unknown and name not in malformed
    ]
    return [
        *((name, _("This request takes no such parameter; see /api/docs/.")) for name in unknown),
        *((name, _("Give this parameter once.")) for name in repeated),
        *(
            (
                name,
                _(
                    "Give it in the form the API documents (codes of digits, periods as 2023, "
                    "2023-H1 or 2023-Q1, months as 2023-07), or leave the parameter out."
                ),
            )
            for name in malformed
        ),
    ]


def _bad_request(request, problems):
    """`problems`: a message, or (column, message) pairs."""
    if isinstance(problems, str):
        problems = [(None, problems)]
    if request.path.startswith("/api/"):
        errors = [{"row": None, "column": column, "message": text} for column, text in problems]
        return JsonResponse({"errors": errors}, status=400)
    return render(request, "400.html", {"message": problems[0][1]}, status=400)
