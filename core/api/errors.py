"""The error shape of formats.md for every API error: {"errors": [{"row", "column", "message"}]}."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ErrorsSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)


def errors_response(problems, status=400) -> Response:
    """The error shape of formats.md: {"errors": [{"row", "column", "message"}]}."""
    return Response({"errors": [p.as_dict() for p in problems]}, status=status)


def _flatten(detail, column=None, row=None):
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = None if key == "non_field_errors" else str(key)
            yield from _flatten(value, name if column is None else f"{column}.{name}", row)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list) and column is None and row is None:
                yield from _flatten(value, column, index + 1)
            else:
                yield from _flatten(value, column, row)
    else:
        yield {"row": row, "column": column, "message": str(detail)}


def exception_handler(exc, context):
    if isinstance(exc, Http404 | PermissionDenied):
        return drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        return Response({"errors": list(_flatten(exc.detail))}, status=400)
    if isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
        return Response(
            {"errors": [{"row": None, "column": None, "message": str(exc.detail)}]},
            status=exc.status_code,
        )
    return drf_exception_handler(exc, context)
