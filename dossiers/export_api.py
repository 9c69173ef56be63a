"""/api/v1/export-mappings/ and /api/v1/dossier-reports/import-export/: a one-stop software
export imported as it comes, through the mapping of its source system (#17)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.files import upload_size_problem
from core.problems import Problem
from dossiers.export_import import export_import
from dossiers.models import ExportMapping
from dossiers.validation import parse_month


class ExportMappingSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(
        source="scope.code", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = ExportMapping
        fields = ["id", "name", "scope", "columns", "in_period_includes_online", "note"]


@extend_schema(tags=["dossier reports"])
class ExportMappingViewSet(viewsets.ReadOnlyModelViewSet):
    """The source systems whose exports the portal reads, and how (chosen by an administrator
    in the admin site)."""

    queryset = ExportMapping.objects.select_related("scope")
    serializer_class = ExportMappingSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None


def _problem(problem: Problem) -> dict:
    """The error shape of formats.md, the column named as the export prints it."""
    return {
        "row": problem.row,
        "column": problem.label or problem.column,
        "field": problem.column,
        "message": str(problem.message),
    }


class ExportImportView(APIView):
    parser_classes = [MultiPartParser]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Import a month of a one-stop software export through a mapping",
        tags=["dossier reports"],
        parameters=[OpenApiParameter("dry_run", bool, description="check only")],
        request=inline_serializer(
            "ExportImportRequest",
            {
                "file": serializers.FileField(),
                "mapping": serializers.CharField(help_text="the mapping's id or name"),
                "month": serializers.CharField(
                    required=False, help_text="YYYY-MM, when the title does not state it"
                ),
                "confirm": serializers.ListField(
                    child=serializers.CharField(),
                    required=False,
                    help_text="unit names, as exported, whose proposed match is accepted",
                ),
            },
        ),
        responses={
            200: inline_serializer(
                "ExportImportResult",
                {
                    "created": serializers.IntegerField(),
                    "updated": serializers.IntegerField(),
                    "unchanged": serializers.IntegerField(),
                    "dry_run": serializers.BooleanField(),
                    "month": serializers.CharField(),
                    "notices": serializers.ListField(child=serializers.CharField()),
                },
            )
        },
    )
    def post(self, request):
        problems = []
        upload = request.FILES.get("file")
        if upload is None:
            problems.append(Problem(None, "file", _("Send the file in the field 'file'.")))
        elif too_large := upload_size_problem(upload.size):
            problems.append(too_large)
        mapping = _mapping(request.data.get("mapping"), problems)
        month = None
        if request.data.get("month"):
            month, error = parse_month(request.data["month"])
            if error:
                problems.append(Problem(None, "month", error))
        if problems:
            return Response({"errors": [_problem(p) for p in problems], "to_confirm": []}, 400)
        dry_run = str(request.query_params.get("dry_run", "")).lower() in ("1", "true", "yes")
        result = export_import(
            file_name=upload.name,
            content=upload.read(),
            mapping=mapping,
            user=request.user,
            month=month,
            confirmed=request.data.getlist("confirm"),
            dry_run=dry_run,
        )
        if not result.ok:
            body = {
                "errors": [_problem(p) for p in result.problems],
                "to_confirm": [p.as_dict() for p in result.to_confirm],
            }
            return Response(body, status=400)
        months = {row.month for row in result.rows}
        return Response(
            {
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "dry_run": dry_run,
                "month": f"{min(months):%Y-%m}" if months else None,
                "notices": [str(n) for n in result.notices],
            }
        )


def _mapping(value, problems: list) -> ExportMapping | None:
    text = str(value or "").strip()
    found = None
    if text.isdigit():
        found = ExportMapping.objects.filter(pk=int(text)).first()
    found = found or ExportMapping.objects.filter(name=text).first()
    if found is None:
        names = ", ".join(f"{m.pk}: {m.name}" for m in ExportMapping.objects.all())
        problems.append(
            Problem(
                None,
                "mapping",
                _("no export mapping is “%(value)s”; the mappings are %(names)s")
                % {"value": text[:60], "names": names or "—"},
            )
        )
    return found
