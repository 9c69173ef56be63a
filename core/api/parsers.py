"""JSON bodies the portal can hold: no NUL characters (no field holds one, and PostgreSQL refuses
them in any query) and no nesting deeper than any of its documents (a body nested thousands deep
exhausts the parser's recursion and would answer 500)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The deepest structure the API reads is a framework inside an upload: object → areas → area →
# sub-criteria → items (four levels) → steps → step. 32 leaves room and refuses abuse.
MAX_DEPTH = 32


def _check(data) -> None:
    """Walk the parsed body without recursion: NUL characters and depth."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError(_("The request contains a NUL character (\\u0000)."))
            continue
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(
                    _("The JSON body is nested more than %(depth)d levels deep.")
                    % {"depth": MAX_DEPTH}
                )
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None:
                    pending.append((key, depth))
                pending.append((item, depth + 1))


class CleanJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(
                _("The JSON body is nested more than %(depth)d levels deep.") % {"depth": MAX_DEPTH}
            ) from exc
        _check(data)
        return data
